/**
 * What the erasure test files need: a server that mails, a voice message sent as a real client would,
 * a scan of every row, and the hands that hold a transaction open to play a race step by step.
 */
import { sql, type Transaction } from 'kysely';
import { createSmtpMailer } from '../mail/index.js';
import { expectStatus, sealedVoice, type Family, type Person } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
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
