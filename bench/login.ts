/**
 * Sign-in throughput, and whether it starves everything else. argon2id runs on libuv's threadpool,
 * so while sign-ins saturate it the event loop should keep answering other requests.
 *
 * Peer, measured in the same run: the latency of GET /healthz on the idle server. Reported: sign-ins
 * per second under 16 concurrent clients, and /healthz p50/p99 during that load as a ratio of idle.
 * The throttle (accounts/throttle.ts) is for failures; these are successful sign-ins of one account.
 */
import { randomBytes } from 'node:crypto';
import { startTestServer } from '@burrow/server/testing';

const PASSWORD = 'plush toys carry love across the sea';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function healthLatencies(url: string, durationMs: number): Promise<number[]> {
  const out: number[] = [];
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    const t = performance.now();
    await (await fetch(`${url}/healthz`)).text();
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out.sort((a, b) => a - b);
}

export async function benchLogin(durationMs = 5000, concurrency = 16) {
  const server = await startTestServer();
  try {
    const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
    const res = await fetch(`${server.url}/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    const idle = await healthLatencies(server.url, 2000);
    let logins = 0;
    let failures = 0;
    const until = performance.now() + durationMs;
    const worker = async () => {
      while (performance.now() < until) {
        const r = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
        await r.text();
        if (r.ok) logins++;
        else failures++;
      }
    };
    const started = performance.now();
    const [loaded] = await Promise.all([healthLatencies(server.url, durationMs), ...Array.from({ length: concurrency }, worker)]);
    const seconds = (performance.now() - started) / 1000;
    return {
      loginsPerSecond: logins / seconds,
      failures,
      idle: { p50: percentile(idle, 50), p99: percentile(idle, 99) },
      loaded: { p50: percentile(loaded, 50), p99: percentile(loaded, 99) },
    };
  } finally {
    await server.close();
  }
}
