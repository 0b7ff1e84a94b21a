/**
 * The audit trail's address fading (audit/recorder.ts fadeAuditIps, a daily maintenance job) goes in
 * windows of ids: each page reads at most its batch of rows however many of them are recent, a pass
 * is several pages with a turn of the event loop between them, and a restart in the middle fades
 * nothing twice and misses nothing. Both engines (openScratchDb follows BURROW_TEST_PG_URL).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ipFadeJob } from '../accounts/index.js';
import type { Db } from '../db/index.js';
import { deleteInBatches } from '../maintenance/index.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { fadeAuditIps } from './recorder.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);
const CUT = NOW - 30 * DAY;
let scratch: ScratchDb;
let db: Db;

before(async () => {
  scratch = await openScratchDb('audit-ip-pages');
  ({ db } = scratch);
  const event = (i: number, at: number) => ({ at, action: 'sign_in', status: 200, account_id: null, device_id: null, session_ref: null, ip: `198.51.${String(i % 200)}.${String(i % 250)}`, family_id: null, resource: null });
  // 1,200 events past the keep period, then 800 recent ones (the newest ids, as in a real log).
  for (let start = 0; start < 2000; start += 400)
    await db.insertInto('audit_events').values(Array.from({ length: 400 }, (_, k) => event(start + k, start + k < 1200 ? CUT - DAY : NOW))).execute();
});
after(() => scratch.close());

const full = async (old: boolean): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('at', old ? '<' : '>=', CUT)
        .where('ip', 'not like', '%/%')
        .executeTakeFirstOrThrow()
    ).n,
  );

test('pages are windows of at most the batch size, with a pause between them; a restart in the middle repeats and misses nothing', async () => {
  // One page of 300, then the process "restarts": the new job starts its pass from the first id again.
  const interrupted = await ipFadeJob(fadeAuditIps(db, () => CUT))(300);
  assert.equal(interrupted.deleted, 300);
  const scanned: number[] = [];
  let pauses = 0;
  let cut = CUT;
  const job = ipFadeJob(fadeAuditIps(db, () => cut));
  const result = await deleteInBatches(
    async (limit) => {
      const page = await job(limit);
      scanned.push(page.scanned);
      assert.ok(page.scanned <= limit, `a page read ${String(page.scanned)} ids for a batch of ${String(limit)}`);
      return page;
    },
    { batchSize: 300, startSize: 300, pause: () => Promise.resolve(void pauses++) },
  );
  assert.equal(result.deleted, 900, 'the rest of the old addresses, none of the 300 faded before');
  assert.ok(result.batches >= 4, `${String(result.batches)} pages over the 900 old ids left`);
  assert.equal(pauses, result.batches - 1);
  assert.equal(await full(true), 0, 'every old address faded');
  assert.equal(await full(false), 800, 'the recent ones kept whole');
  // The next run starts where this one stopped: nothing left to fade, one short page.
  const next = await deleteInBatches(job, { batchSize: 300, startSize: 300 });
  assert.deepEqual([next.deleted, next.batches], [0, 1]);
  // A month on, the recent ones are past the keep period too, and the same job (its cursor kept)
  // fades them: a pass stops at the first recent row instead of stepping over it.
  cut = NOW + DAY;
  const aged = await deleteInBatches(job, { batchSize: 300, startSize: 300 });
  assert.equal(aged.deleted, 800, 'the rows that were recent at the last pass');
  assert.equal((await full(true)) + (await full(false)), 0, 'nothing left whole');
});
