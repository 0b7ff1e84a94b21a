/**
 * A Burrow node's side of the honeychecker service (service.ts), chosen when BURROW_HONEYCHECKER_URL
 * is set: the same Honeychecker interface as the local store, over signed HTTP (api-auth.ts) to
 * `http://host:port` or `unix:/path/to/socket`.
 *
 * `isCanary` runs on every request, so the canary list is kept in memory: loaded at start (`ready`),
 * refreshed every minute (a canary another node planted is known here within a minute), and updated
 * at once by this node's own `addCanary` and by every `check` (which says whether the set is a
 * canary's, so a sign-in never waits for a refresh).
 */
import { Agent, request, type RequestOptions } from 'node:http';
import type { Logger } from 'pino';
import { authHeaders } from './api-auth.js';
import { parseHoneycheckerUrl } from './config.js';
import { HoneycheckerError, type Canary, type CanaryKind, type Honeychecker, type SweetwordVerdict } from './store.js';

const TIMEOUT_MS = 5000;
const REFRESH_MS = 60_000;


/** One signed request; rejects on a network failure, a timeout or a non-2xx answer. */
export function honeycheckerRequest(
  url: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  payload?: unknown,
  agent?: Agent,
): Promise<unknown> {
  const target = parseHoneycheckerUrl(url);
  if (!target) return Promise.reject(new HoneycheckerError(`BURROW_HONEYCHECKER_URL (${url}) is not http://host:port or unix:/path.`));
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const options: RequestOptions = {
    method,
    path,
    agent,
    timeout: TIMEOUT_MS,
    headers: {
      ...authHeaders(token, method, path, body),
      ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
    },
    ...('socket' in target ? { socketPath: target.socket } : { host: target.host, port: target.port }),
  };
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        if (status === 401) reject(new HoneycheckerError('The honeychecker refused the request: BURROW_HONEYCHECKER_TOKEN differs from its own.'));
        else if (status < 200 || status > 299) reject(new HoneycheckerError(`The honeychecker answered ${String(status)}.`));
        else {
          try {
            resolve(text === '' ? null : (JSON.parse(text) as unknown));
          } catch {
            reject(new HoneycheckerError('The honeychecker answered something that is not JSON.'));
          }
        }
      });
    });
    req.on('timeout', () =>
      // ETIMEDOUT: the request is answered 503 with Retry-After (errors/dependency-down.ts), not 500.
      req.destroy(Object.assign(new HoneycheckerError(`The honeychecker did not answer within ${String(TIMEOUT_MS)} ms.`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A kept-alive socket the service closed just as it was reused: nothing was answered, so ask again. */
function staleSocket(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (err instanceof Error && err.message === 'socket hang up');
}

export function connectHoneychecker({ url, token, log }: { url: string; token: string; log?: Logger }): Honeychecker {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  // Every call is safe to repeat (set and addCanary are idempotent, the rest read); a repeat is
  // signed afresh, so the service's replay check does not refuse it.
  const call = (method: 'GET' | 'POST', path: string, payload?: unknown) =>
    honeycheckerRequest(url, token, method, path, payload, agent).catch((err: unknown) => {
      if (!staleSocket(err)) throw err;
      return honeycheckerRequest(url, token, method, path, payload, agent);
    });
  const memory = new Map<CanaryKind, Set<string>>();
  const remember = (c: Canary) => {
    let s = memory.get(c.kind);
    if (!s) memory.set(c.kind, (s = new Set()));
    s.add(c.id);
  };
  const load = async () => {
    const answer = (await call('GET', '/v1/canaries')) as { canaries?: Canary[] } | null;
    for (const c of answer?.canaries ?? []) remember(c);
  };
  const loaded = load();
  // A failed first load is reported by ready(); refreshes retry quietly until one works.
  loaded.catch(() => undefined);
  const timer = setInterval(() => {
    load().catch((err: unknown) => log?.warn({ err: { message: (err as Error).message } }, 'honeychecker: refreshing the canary list failed'));
  }, REFRESH_MS);
  timer.unref();

  return {
    file: url,
    ready: () => loaded,
    async set(setId, index) {
      await call('POST', '/v1/sets', { setId, index });
    },
    async check(setId, index) {
      const answer = (await call('POST', '/v1/check', { setId, index })) as { verdict?: unknown; canary?: unknown } | null;
      const verdict = answer?.verdict;
      if (verdict !== 'real' && verdict !== 'decoy' && verdict !== 'unknown')
        throw new HoneycheckerError('The honeychecker answered without a verdict.');
      if (answer?.canary === true) remember({ kind: 'set', id: setId });
      return verdict satisfies SweetwordVerdict;
    },
    async addCanary(canary) {
      await call('POST', '/v1/canaries', canary);
      remember(canary);
    },
    isCanary: (kind, id) => memory.get(kind)?.has(id) ?? false,
    canaries(kind) {
      const out: Canary[] = [];
      for (const [k, ids] of memory)
        if (kind === undefined || k === kind) for (const id of ids) out.push({ kind: k, id });
      return out;
    },
    close() {
      clearInterval(timer);
      agent.destroy();
    },
  };
}
