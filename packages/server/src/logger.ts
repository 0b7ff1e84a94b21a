/**
 * JSON logs (pino) with secrets redacted at the source: authorization headers, cookies, passwords,
 * tokens. Request logs carry method, URL and status only; bodies are never logged.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { CoreConfig } from './config.js';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.*.password',
  '*.*.token',
];

export function createLogger(level: CoreConfig['logLevel'], destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
