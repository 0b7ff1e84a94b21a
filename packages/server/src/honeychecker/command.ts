/**
 * `burrow honeychecker serve` — the honeychecker as its own process (service.ts), for installations
 * with more than one node or that keep it on another host. Its settings are its own, never the web
 * node's: BURROW_HONEYCHECKER_DIR (its folder), BURROW_HONEYCHECKER_SECRET (its store's key, only on
 * this host) and BURROW_HONEYCHECKER_TOKEN (shared with the nodes, which set BURROW_HONEYCHECKER_URL).
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import { parseCommand, UsageError } from '../cli-args.js';
import { checkToken } from './config.js';
import { resolveHoneycheckerSecret } from './secret.js';
import { startHoneycheckerService, type HoneycheckerListen } from './service.js';

export const HONEYCHECKER_HELP = `  honeychecker serve [--listen HOST:PORT | --socket PATH] [--dir DIR]
                                        run the honeychecker as its own service (docs/deploy.md)`;

const USAGE = `Usage: burrow honeychecker serve [--listen HOST:PORT | --socket PATH] [--dir DIR]

Runs the honeychecker as its own process: nodes with BURROW_HONEYCHECKER_URL ask it whether a
password that matched was the real one or a decoy, and which records are canaries (docs/deploy.md).
  --listen HOST:PORT   where to listen (default 127.0.0.1:7300; port 0 picks a free one)
  --socket PATH        listen on a Unix socket instead (nodes: BURROW_HONEYCHECKER_URL=unix:PATH)
  --dir DIR            its folder (also BURROW_HONEYCHECKER_DIR); never inside a node's data folder
Environment: BURROW_HONEYCHECKER_TOKEN (required, shared with the nodes), BURROW_HONEYCHECKER_SECRET
(its store's key; required in production, NODE_ENV=production). Prints "listening on URL" when ready.`;

function parseListen(value: string): HoneycheckerListen {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m?.[1] || port > 65535) throw new UsageError('--listen takes HOST:PORT, e.g. 127.0.0.1:7300.', USAGE);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export async function honeycheckerCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    USAGE,
    { listen: { type: 'string' }, socket: { type: 'string' }, dir: { type: 'string' } },
    { min: 1, max: 1 },
  );
  if (positionals[0] !== 'serve') throw new UsageError(`Unknown subcommand '${String(positionals[0])}'.`, USAGE);
  if (values.listen !== undefined && values.socket !== undefined) throw new UsageError('Give --listen or --socket, not both.', USAGE);
  const dirValue = values.dir ?? env.BURROW_HONEYCHECKER_DIR;
  if (!dirValue) throw new UsageError('Give the honeychecker its folder: --dir DIR or BURROW_HONEYCHECKER_DIR.', USAGE);
  const dir = resolve(dirValue);
  const listen: HoneycheckerListen =
    values.socket !== undefined ? { socket: resolve(values.socket) } : parseListen(values.listen ?? '127.0.0.1:7300');
  const log = pino({ level: env.BURROW_LOG_LEVEL ?? 'info', base: { service: 'honeychecker' } });
  const token = checkToken(env.BURROW_HONEYCHECKER_TOKEN);
  const secret = resolveHoneycheckerSecret({
    dir,
    configured: env.BURROW_HONEYCHECKER_SECRET || null,
    production: env.NODE_ENV === 'production',
    log,
  });
  if (token === secret)
    throw new UsageError('BURROW_HONEYCHECKER_TOKEN must differ from BURROW_HONEYCHECKER_SECRET: the nodes know the token, never the secret.', USAGE);
  const service = await startHoneycheckerService({ dir, secret, token, listen, log });
  console.log(`listening on ${service.url}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void service.close().then(done);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
