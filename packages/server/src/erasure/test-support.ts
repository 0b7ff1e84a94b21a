/**
 * What every erasure test file shares: a server (one that mails, or one whose error lines the test
 * reads), a family whose creation already sits in its activity chain, a voice message sent as a real
 * client would, a scan of every row, and the hands that play a race step by step: a transaction held
 * open, a wait until the other sessions wait on it, and a step run inside a real service right after
 * one of its reads.
 */
import { after, before } from 'node:test';
import { sql, TableNode, type KyselyPlugin, type RootOperationNode, type Transaction } from 'kysely';
import { createLogger } from '../logger.js';
import { createSmtpMailer } from '../mail/index.js';
import { expectStatus, family, sealedVoice, type Family, type Person } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call, type Credentials } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { openDb, unrecorded, type Database, type Db } from '../db/index.js';

/** A test server whose mail goes to a real SMTP sink (deletions are confirmed by mail); `close` stops all three. */
export async function startMailingServer(): Promise<{ server: TestServer; sink: SmtpSink; call: Call; close: () => Promise<void> }> {
  const sink = await startSmtpSink();
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true });
  const server = await startTestServer({ mailer });
  return {
    server,
    sink,
    call: httpClient(server.url),
    close: async () => {
      await server.close();
      mailer.close();
      await sink.close();
    },
  };
}

/**
 * A test server for the race tests: `errors` collects every line it (and whatever the test builds on
 * `logger`) logs at error level or above, which a race must leave empty.
 */
export async function startRaceServer(): Promise<{ server: TestServer; call: Call; errors: string[]; logger: ReturnType<typeof createLogger> }> {
  const errors: string[] = [];
  const logger = createLogger('error', { write: (line: string) => void errors.push(line) });
  const server = await startTestServer({ logger });
  return { server, call: httpClient(server.url), errors, logger };
}

export type RaceServer = Awaited<ReturnType<typeof startRaceServer>>;

/**
 * The file's race server: started before its tests and handed to `use` (which keeps the parts the
 * file names), closed after them.
 */
export function raceServerForFile(use: (race: RaceServer) => void): void {
  let race: RaceServer | undefined;
  before(async () => {
    race = await startRaceServer();
    use(race);
  });
  after(async () => {
    await race?.server.close();
  });
}

/** A family whose creation's events already sit in its activity chain (no flush of them is pending to wait on a lock). */
export async function settledFamily(server: TestServer, call: Call): Promise<Family> {
  const fam = await family(call);
  const chained = () =>
    server.db.selectFrom('family_activity').select('kind').where('family_id', '=', fam.familyId).where('kind', '=', 'child_added').executeTakeFirst();
  while ((await chained()) === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  return fam;
}

/** Every row of every table but the audit trail and the migrations' own, as JSON text. */
export async function everyRow(server: TestServer): Promise<string> {
  // Each engine's own catalogue: the test's inventory, not a query of the product (db/query-shapes.ts).
  const tables = await unrecorded(async () =>
    server.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(server.db)).rows
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(server.db)).rows,
  );
  const out: string[] = [];
  for (const { name } of tables) {
    if (name === 'audit_events' || name.startsWith('kysely_') || name.startsWith('sqlite_')) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(server.db);
    out.push(`${name}:${JSON.stringify(rows.rows)}`);
  }
  return out.join('\n');
}

/** Seals a voice message from `sender` to `to`, uploads its blob and sends it; each step must answer 201. */
export async function sendVoice(
  call: Call,
  fam: Family,
  sender: { keys: Person['keys']; as: Credentials },
  to: Person['keys'][],
) {
  const voice = await sealedVoice(sender.keys, fam.roster, to);
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...sender.as, raw: voice.blob }),
    201,
    'upload',
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/messages`, {
      ...sender.as,
      body: { envelope: voice.envelope },
    }),
    201,
    'send',
  );
  return voice;
}

/** A transaction that does `work`, then stays open until `release()`: the test's hand on its commit. */
export function held(db: Db, work: (trx: Transaction<Database>) => Promise<unknown>) {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let worked = (): void => undefined;
  const ready = new Promise<void>((resolve) => (worked = resolve));
  const done = db.transaction().execute(async (trx) => {
    await work(trx);
    worked();
    await gate;
  });
  return { ready: Promise.race([ready, done]), release, done };
}

/**
 * Holds a transaction doing `work` (an erasure, a deletion) open, starts every request, waits until
 * each waits on it or has answered (PostgreSQL; SQLite: they wait for its one connection), lets it
 * commit, and returns each request's answer by name, with their bodies for an assertion's message.
 */
export async function whileHeld<K extends string>(
  server: TestServer,
  work: (trx: Transaction<Database>) => Promise<unknown>,
  requests: Record<K, () => Promise<Answer>>,
): Promise<{ answers: Record<K, Answer>; statuses: Record<K, number>; bodies: string }> {
  const transaction = held(server.db, work);
  await transaction.ready;
  let answered = 0;
  const names = Object.keys(requests) as K[];
  const pending = Promise.all(names.map((name) => requests[name]().finally(() => (answered += 1))));
  await untilWaiting(server, () => names.length - answered);
  transaction.release();
  await transaction.done;
  const done = await pending;
  const answers = Object.fromEntries(names.map((name, i) => [name, done[i]!])) as Record<K, Answer>;
  return {
    answers,
    statuses: Object.fromEntries(names.map((name, i) => [name, done[i]!.status])) as Record<K, number>,
    bodies: names.map((name, i) => `${name}: ${done[i]!.text.slice(0, 300)}`).join('\n'),
  };
}

/**
 * PostgreSQL: waits until `n` sessions of the test's database wait for a lock (or `settled()`), so
 * the next step starts only once the ones before it are where the test put them; `n` may be a
 * function, read again on every look (the requests still unanswered, say). SQLite has one
 * connection (a transaction holds it whole), so what the test starts waits for it anyway.
 */
export async function untilWaiting(server: TestServer, n: number | (() => number), settled: () => boolean = () => false): Promise<void> {
  const target = typeof n === 'number' ? () => n : n;
  if (server.dialect === 'sqlite') return;
  // A connection of its own: the writes under test may hold every one of the server's pool.
  const probe = openDb(server.config.database);
  const waiting = async () =>
    // The engine's own view of its sessions: the test's instrument, not a query of the product.
    (
      await unrecorded(() =>
        sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(probe.db),
      )
    ).rows[0]?.n ?? 0;
  try {
    while (!settled() && (await waiting()) < target()) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    await probe.db.destroy();
  }
}

/** True when the root node is a select whose FROM names `table`. */
export const selectsFrom = (table: string) => (node: RootOperationNode) =>
  node.kind === 'SelectQueryNode' && (node.from?.froms ?? []).some((f) => TableNode.is(f) && f.table.identifier.name === table);

/**
 * A plugin (the test's hand inside a real service, on the real database) that runs `step` once, when
 * the `nth` query `picks` chooses has its rows and before the service sees them. Compiled statements
 * (db/compiled.ts) are not seen: their query is built once, not per call.
 */
export function afterNth(picks: (node: RootOperationNode) => boolean, nth: number, step: () => Promise<void>): KyselyPlugin {
  const chosen: string[] = [];
  let fired = false;
  return {
    transformQuery({ node, queryId }) {
      if (!fired && picks(node)) chosen.push(queryId.queryId);
      return node;
    },
    async transformResult({ result, queryId }) {
      if (!fired && chosen[nth - 1] === queryId.queryId) {
        fired = true;
        await step();
      }
      return result;
    },
  };
}

/**
 * `db` with `step` run once just before its first transaction begins: the moment after a service's
 * reads outside its transaction and before the transaction's first statement (no plugin sees a
 * BEGIN). Methods are bound to the real Kysely, whose private fields a proxy cannot reach.
 */
export function beforeFirstTransaction(db: Db, step: () => Promise<void>): Db {
  let fired = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction' && !fired)
        return () => {
          const builder = target.transaction();
          return {
            execute: async <T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
              fired = true;
              await step();
              return builder.execute(work);
            },
          };
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
