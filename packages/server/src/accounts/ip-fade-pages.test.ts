/**
 * The other address-fading jobs page as the audit trail's does (audit/ip-fade-pages.test.ts): every
 * page reads at most its batch of rows, however many of them are due, with a pause between pages.
 * - The security log (accounts/security-events.ts) goes by windows of ids and ends a pass at its
 *   first recent event, where the next pass (the same job, its cursor kept) starts a month on.
 * - Sessions and revoked credentials, keyed by random token hashes, go by ranges of the key and walk
 *   the table once a pass, then wrap: a session still fresh at one pass is faded at a later one.
 * A restart in the middle repeats and misses nothing, and no statement of a page scans its table
 * (each is a range or a lookup of the primary key). Both engines (openScratchDb follows
 * BURROW_TEST_PG_URL).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { CompiledQuery } from 'kysely';
import type { Db } from '../db/index.js';
import { fadeRevokedCredentialIps } from '../incidents/index.js';
import { deleteInBatches } from '../maintenance/index.js';
import { fadeSessionIps } from '../sessions/store.js';
import { planOf } from '../testing/query-plan.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { ipFadeJob, type IpPage } from './ip-fade.js';
import { fadeSecurityEventIps } from './security-events.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);
const CUT = NOW - 30 * DAY;
const OLD = 600;
const RECENT = 400;
let scratch: ScratchDb;
let db: Db;

const ip = (i: number): string => `198.51.${String(i % 200)}.${String(i % 250)}`;
/** Token hashes in no order of age, as real ones are. */
const token = (i: number): string => createHash('sha256').update(String(i)).digest('hex');

before(async () => {
  scratch = await openScratchDb('ip-fade-pages');
  ({ db } = scratch);
  await db.insertInto('accounts').values({ id: 'acc', email_index: 'index-acc', email_ciphertext: 'sealed-acc', password_hash: 'x', created_at: 0, pepper_id: null, email_verified_at: null }).execute();
  // OLD rows past the keep period, then RECENT ones (for the security log: the newest ids, as in a real log).
  const at = (i: number): number => (i < OLD ? CUT - DAY : NOW);
  for (let start = 0; start < OLD + RECENT; start += 200) {
    const ids = Array.from({ length: 200 }, (_, k) => start + k);
    await db.insertInto('security_events').values(ids.map((i) => ({ account_id: 'acc', kind: 'sign_in', at: at(i), ip: ip(i), browser: null, detail: null }))).execute();
    await db
      .insertInto('sessions')
      .values(ids.map((i) => ({ token_hash: token(i), account_id: 'acc', created_at: at(i) - DAY, expires_at: NOW + 30 * DAY, id: null, last_used_at: at(i), ip: ip(i), user_agent: null })))
      .execute();
    await db.insertInto('revoked_credentials').values(ids.map((i) => ({ token_hash: token(i), kind: 'session', account_id: 'acc', last_ip: ip(i), reason: 'incident', revoked_at: at(i) }))).execute();
  }
});
after(() => scratch.close());

/** Runs `work` on a db that records every statement it compiles. */
async function recording<T>(work: (db: Db) => Promise<T>): Promise<{ result: T; statements: CompiledQuery[] }> {
  const statements: CompiledQuery[] = [];
  const recorder = db.withPlugin({
    transformQuery: (args) => {
      statements.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  });
  return { result: await work(recorder), statements };
}

/** A plan that reads a table whole: SQLite's SCAN of it, PostgreSQL's Seq Scan (priced out by planOf, so chosen only without an index). */
const SCANS = /\bSCAN (security_events|sessions|revoked_credentials)\b|Seq Scan/;

interface Table {
  name: string;
  page: (before: () => number, on?: Db) => IpPage<number> | IpPage<string>;
  /** Rows older (or not) than the cut-off still holding a full address. */
  full: (old: boolean, cut: number) => Promise<number>;
}

const count = async (q: Promise<{ n: number | string }>): Promise<number> => Number((await q).n);
const tables: Table[] = [
  {
    name: 'the security log',
    page: (before, on = db) => fadeSecurityEventIps(on, before),
    full: (old, cut) =>
      count(db.selectFrom('security_events').select((eb) => eb.fn.countAll<number>().as('n')).where('at', old ? '<' : '>=', cut).where('ip', 'not like', '%/%').executeTakeFirstOrThrow()),
  },
  {
    name: 'sessions',
    page: (before, on = db) => fadeSessionIps(on, before),
    full: (old, cut) =>
      count(db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('last_used_at', old ? '<' : '>=', cut).where('ip', 'not like', '%/%').executeTakeFirstOrThrow()),
  },
  {
    name: 'revoked credentials',
    page: (before, on = db) => fadeRevokedCredentialIps(on, before),
    full: (old, cut) =>
      count(db.selectFrom('revoked_credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('revoked_at', old ? '<' : '>=', cut).where('last_ip', 'not like', '%/%').executeTakeFirstOrThrow()),
  },
];

for (const table of tables)
  void test(`${table.name}: pages read at most the batch size, with a pause between them; a restart repeats and misses nothing; rows due later are faded by a later pass`, async () => {
    // One page of 200, then the process "restarts": the new job starts its pass from the first key again.
    const { result: interrupted, statements } = await recording((on) => ipFadeJob(table.page(() => CUT, on) as IpPage<unknown>)(200));
    assert.ok(interrupted.scanned <= 200);
    assert.ok(statements.length >= 2, 'the page read and faded');
    // The reads (the updates go by primary key lists; SQLite's EXPLAIN of one leaves it in progress in the statement cache).
    for (const statement of statements.filter((st) => /^select/i.test(st.sql))) {
      const plan = await planOf(db, scratch.dialect, statement);
      assert.doesNotMatch(plan, SCANS, `${statement.sql}: ${plan}`);
    }
    let cut = CUT;
    const job = ipFadeJob(table.page(() => cut) as IpPage<unknown>);
    const scanned: number[] = [];
    let pauses = 0;
    const pass = () =>
      deleteInBatches(
        async (limit) => {
          const page = await job(limit);
          scanned.push(page.scanned);
          assert.ok(page.scanned <= limit, `a page read ${String(page.scanned)} rows for a batch of ${String(limit)}`);
          return page;
        },
        { batchSize: 150, startSize: 150, pause: () => Promise.resolve(void pauses++) },
      );
    const result = await pass();
    assert.equal(result.deleted + interrupted.deleted, OLD, 'every old address faded once, none twice');
    assert.ok(result.batches >= 3, `${String(result.batches)} pages`);
    assert.equal(pauses, result.batches - 1);
    assert.equal(await table.full(true, CUT), 0, 'no old address left whole');
    assert.equal(await table.full(false, CUT), RECENT, 'the recent ones kept whole');
    // The next run: nothing left to fade.
    assert.equal((await pass()).deleted, 0);
    // A month on, the rows that were recent are due too, and the same job fades them.
    cut = NOW + DAY;
    assert.equal((await pass()).deleted, RECENT, 'the rows that were recent at the last pass');
    assert.equal((await table.full(true, cut)) + (await table.full(false, cut)), 0, 'nothing left whole');
  });
