/**
 * `npm run bench -- statements`: SQL statements and HTTP requests per delivered message, counted (not
 * timed, so the machine's load does not change them). An in-process Burrow on SQLite, the benchmark's
 * cast (a guardian with 8 devices, a paired toy on the stream); `--messages N` sealed messages sent
 * one at a time (each from `PUT` to the toy's receipt, then the audit and activity batches flushed), then
 * the same number all at once (batches shared, as under load). Every statement libsql runs is
 * counted, by the first words of its SQL, from the first send to the last flush. Also printed: this
 * process's CPU ms per message over the same span (server, senders and toy together: the clients'
 * share is the same whatever the server does, so a difference between two trees is the server's).
 */
import { loadavg } from 'node:os';
import Database from 'libsql';
import { defaultArgon2 } from '../../packages/server/src/config.js';
import { startTestServer } from '../../packages/server/src/testing/start-test-server.js';
import { sealMessages, sendSealed, setUpCast } from './family.js';

interface Counter {
  total: number;
  byText: Map<string, number>;
  on: boolean;
}

/** Counts every run of every libsql statement (kept ones too: the cache wraps these methods). */
function countStatements(): Counter {
  const counter: Counter = { total: 0, byText: new Map(), on: false };
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  let depth = 0;
  const sqlOf = new WeakMap<object, string>();
  const dbProto = Database.prototype as unknown as { prepare: (sql: string) => object };
  const prepare = dbProto.prepare;
  dbProto.prepare = function (this: unknown, sql: string) {
    const statement = prepare.call(this, sql);
    sqlOf.set(statement, sql);
    return statement;
  };
  for (const method of ['all', 'run', 'iterate', 'get']) {
    const original = proto[method];
    if (typeof original !== 'function') continue;
    proto[method] = function (this: object, ...args: unknown[]) {
      // libsql's `all` runs `iterate`: count the outer call only.
      if (counter.on && depth === 0) {
        counter.total++;
        const text = (sqlOf.get(this) ?? '?').replace(/\s+/g, ' ').slice(0, 90);
        counter.byText.set(text, (counter.byText.get(text) ?? 0) + 1);
      }
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
  }
  return counter;
}

export async function countPerMessage(messages: number, log: (line: string) => void = console.log): Promise<void> {
  const counter = countStatements();
  const unlimited = { max: 10_000_000, windowMs: 60_000 };
  const server = await startTestServer({
    postgresUrl: null,
    argon2: defaultArgon2,
    rateLimits: { global: unlimited, sendMessage: unlimited, logIn: unlimited, signUp: unlimited, registerToy: unlimited, lookupPairing: unlimited },
  });
  let requests = 0;
  // Every HTTP request the senders and the toy make goes through fetch.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (...args: Parameters<typeof fetch>) => {
    if (counter.on) requests++;
    return realFetch(...args);
  };
  try {
    const cast = await setUpCast(server.url, 8);
    const sealed = await sealMessages(cast, 2 * messages, 48 * 1024);
    // Both batches flush 200 ms after their first event (audit/recorder.ts, audit/activity-log.ts).
    const flushAll = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await server.services.breachWatch.recorder.flush();
    };
    await flushAll();
    const measure = async (label: string, run: () => Promise<void>): Promise<void> => {
      counter.total = 0;
      counter.byText.clear();
      requests = 0;
      counter.on = true;
      const cpu = process.cpuUsage();
      await run();
      await flushAll();
      const used = process.cpuUsage(cpu);
      counter.on = false;
      const cpuMs = (used.user + used.system) / 1000 / messages;
      log(
        `${label}: ${(counter.total / messages).toFixed(1)} statements and ${(requests / messages).toFixed(1)} requests per message ` +
          `(${String(messages)} messages; ${cpuMs.toFixed(2)} CPU ms per message in this process, load ${loadavg()[0]!.toFixed(1)})`,
      );
      const rows = [...counter.byText].sort((a, b) => b[1] - a[1]);
      for (const [text, n] of rows) log(`  ${(n / messages).toFixed(2).padStart(6)}  ${text}`);
    };
    const heldAll = (ids: readonly string[]): Promise<void> =>
      new Promise((resolve) => {
        const waiting = new Set(ids);
        cast.toyClient.onHeld = (id) => {
          waiting.delete(id);
          if (waiting.size === 0) resolve();
        };
      });
    // The receipt follows the held blob: wait for the requests to settle as well.
    const settle = async (): Promise<void> => {
      for (let last = -1; last !== requests; ) {
        last = requests;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await measure('one at a time', async () => {
      for (const m of sealed.slice(0, messages)) {
        const held = heldAll([m.envelope.id]);
        if (!(await sendSealed(server.url, cast.fam.familyId, m))) throw new Error('send refused');
        await held;
        await settle();
        await flushAll();
      }
    });
    await measure('all at once', async () => {
      const batch = sealed.slice(messages);
      const held = heldAll(batch.map((m) => m.envelope.id));
      const sent = await Promise.all(batch.map((m) => sendSealed(server.url, cast.fam.familyId, m)));
      if (sent.includes(false)) throw new Error('send refused');
      await held;
      await settle();
    });
    await cast.toyClient.close();
  } finally {
    globalThis.fetch = realFetch;
    await server.close();
  }
}
