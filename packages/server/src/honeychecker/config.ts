/**
 * The honeychecker's public configuration checks (tripwires/config.ts parses the section): what a
 * BURROW_HONEYCHECKER_URL and BURROW_HONEYCHECKER_TOKEN must look like. Kept apart from the client
 * and the service so that reading the configuration loads neither.
 */
import { ConfigError } from '../config.js';

export const HONEYCHECKER_TOKEN_MIN_LENGTH = 32;

/** Checks the token's length once, where it is configured, with a fix. */
export function checkToken(token: string | null | undefined, variable = 'BURROW_HONEYCHECKER_TOKEN'): string {
  if (!token) throw new ConfigError(`Set ${variable} (\`openssl rand -base64 32\`): the honeychecker service and every node share it.`);
  if (token.length < HONEYCHECKER_TOKEN_MIN_LENGTH)
    throw new ConfigError(`${variable} must be at least ${String(HONEYCHECKER_TOKEN_MIN_LENGTH)} characters; make one with \`openssl rand -base64 32\`.`);
  return token;
}

/** Where a BURROW_HONEYCHECKER_URL points: a TCP address or a Unix socket. */
export function parseHoneycheckerUrl(url: string): { host: string; port: number } | { socket: string } | null {
  if (url.startsWith('unix:')) {
    const socket = url.slice('unix:'.length);
    return socket.startsWith('/') ? { socket } : null;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' || u.pathname !== '/' || u.search !== '' || u.username !== '') return null;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || '80') };
}
