/**
 * The honeychecker as its own service (`burrow honeychecker serve`): its own process, folder and
 * secret, reached over a small HTTP API on a port or a Unix socket. A copy of the main database plus
 * a compromised web node still cannot tell the real password from the decoys: the node sends a set
 * id and the index that matched and hears 'real', 'decoy' or 'unknown' — never which index is real.
 *
 * Every request is signed with BURROW_HONEYCHECKER_TOKEN (api-auth.ts); anything unsigned, stale,
 * replayed or malformed gets 401 or 400 and changes nothing. The API:
 *
 *   POST /v1/sets     {setId, index}  records the real index of a set           → 204
 *   POST /v1/check    {setId, index}  → {verdict, canary}
 *   POST /v1/canaries {kind, id}      records a canary                           → 204
 *   GET  /v1/canaries                 → {canaries: [{kind, id}]} (nodes keep the list in memory)
 *   GET  /v1/health                   → {ok, dir} (doctor: reachable, and where it keeps its store)
 *
 * A decoy index checked (index -1 means "no sweetword matched", a plain wrong password) or a canary's
 * set is also logged here, by the service itself: a node that probes the indexes of a set to find the
 * real one sets it off, whatever that node does with the answers.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createVerifier } from './api-auth.js';
import { openHoneychecker, type CanaryKind } from './store.js';

const MAX_BODY = 4096;
const KINDS: readonly CanaryKind[] = ['account', 'set', 'family', 'device', 'message', 'blob'];
const ID = /^[A-Za-z0-9_\-./:=+]{1,200}$/;

export type HoneycheckerListen = { host: string; port: number } | { socket: string };

export interface HoneycheckerService {
  /** `http://host:port` or `unix:/path` — what nodes put in BURROW_HONEYCHECKER_URL. */
  readonly url: string;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BadRequest('The body is too large.'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function parseJson(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadRequest('The body is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function setAndIndex(b: Record<string, unknown>): { setId: string; index: number } {
  const { setId, index } = b;
  if (typeof setId !== 'string' || !ID.test(setId)) throw new BadRequest('setId must be a short id.');
  // -1: the password matched no sweetword (asked anyway so the node's timing does not tell).
  if (typeof index !== 'number' || !Number.isInteger(index) || index < -1 || index > 255)
    throw new BadRequest('index must be a whole number from -1 to 255.');
  return { setId, index };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export async function startHoneycheckerService({
  dir,
  secret,
  token,
  listen,
  log,
}: {
  dir: string;
  secret: string;
  token: string;
  listen: HoneycheckerListen;
  log: Logger;
}): Promise<HoneycheckerService> {
  const store = openHoneychecker({ dir, secret });
  const verify = createVerifier(token);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    const path = (req.url ?? '').split('?')[0] ?? '';
    const body = await readBody(req);
    if (!verify(method, path, req.headers, body)) {
      log.warn({ method, path }, 'honeychecker: refused a request without a valid signature');
      send(res, 401, { error: 'unauthenticated' });
      return;
    }
    if (method === 'GET' && path === '/v1/health') return send(res, 200, { ok: true, dir });
    if (method === 'GET' && path === '/v1/canaries') return send(res, 200, { canaries: store.canaries() });
    if (method === 'POST' && path === '/v1/sets') {
      const { setId, index } = setAndIndex(parseJson(body));
      await store.set(setId, index);
      return send(res, 204);
    }
    if (method === 'POST' && path === '/v1/check') {
      const { setId, index } = setAndIndex(parseJson(body));
      const verdict = await store.check(setId, index);
      const canary = store.isCanary('set', setId);
      if ((verdict === 'decoy' && index >= 0) || canary)
        log.warn({ verdict, canary }, 'honeychecker: a decoy or canary password was checked');
      return send(res, 200, { verdict, canary });
    }
    if (method === 'POST' && path === '/v1/canaries') {
      const { kind, id } = parseJson(body);
      if (typeof kind !== 'string' || !KINDS.includes(kind as CanaryKind)) throw new BadRequest('kind is not a canary kind.');
      if (typeof id !== 'string' || !ID.test(id)) throw new BadRequest('id must be a short id.');
      await store.addCanary({ kind: kind as CanaryKind, id });
      return send(res, 204);
    }
    send(res, 404, { error: 'not_found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BadRequest) send(res, 400, { error: 'bad_request', message: err.message });
      else {
        log.error({ err: { message: (err as Error).message } }, 'honeychecker: request failed');
        if (!res.headersSent) send(res, 500, { error: 'internal' });
      }
    });
  });
  server.keepAliveTimeout = 30_000;

  let url: string;
  if ('socket' in listen) {
    // A socket left by a process that died is in the way; a live one would refuse us below.
    if (existsSync(listen.socket)) unlinkSync(listen.socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.socket, resolve);
    });
    chmodSync(listen.socket, 0o660);
    url = `unix:${listen.socket}`;
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, resolve);
    });
    const { address, port } = server.address() as AddressInfo;
    url = `http://${address.includes(':') ? `[${address}]` : address}:${String(port)}`;
  }
  log.info({ url, dir }, 'honeychecker: listening');
  return {
    url,
    close: async () => {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
