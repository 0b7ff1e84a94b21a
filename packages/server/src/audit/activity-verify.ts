/**
 * Checks every family's activity chain (`burrow audit verify`): each event's hash recomputes, each
 * links to the one before, seqs run without a gap from the head's start to its end. An edited event
 * fails its own hash; a deleted one leaves a gap and a broken link (or a head that ends elsewhere);
 * reordered ones fail their hashes, which cover seq and time. Reads each chain in pages, by seq.
 */
import type { Db } from '../db/index.js';
import { activityHash } from './activity-chain.js';

export interface ChainProblem {
  familyId: string;
  /** The event where the chain stops holding (null: the head itself). */
  seq: number | null;
  problem: string;
}

export interface VerifyReport {
  families: number;
  events: number;
  problems: ChainProblem[];
}

const PAGE = 1000;

async function verifyFamily(db: Db, familyId: string, report: VerifyReport): Promise<void> {
  const problem = (seq: number | null, text: string) => report.problems.push({ familyId, seq, problem: text });
  const head = await db.selectFrom('family_activity_heads').selectAll().where('family_id', '=', familyId).executeTakeFirst();
  if (!head) {
    const any = await db.selectFrom('family_activity').select('seq').where('family_id', '=', familyId).executeTakeFirst();
    if (any) problem(null, 'events without a chain head (the head row was deleted)');
    return;
  }
  let expectedSeq = head.first_seq;
  let prev = head.anchor_hash;
  for (;;) {
    const rows = await db
      .selectFrom('family_activity')
      .selectAll()
      .where('family_id', '=', familyId)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      report.events++;
      if (row.seq !== expectedSeq) problem(row.seq, `event ${String(expectedSeq)}${row.seq > expectedSeq + 1 ? `-${String(row.seq - 1)}` : ''} missing (deleted)`);
      else if (row.prev_hash !== prev) problem(row.seq, 'does not link to the event before it (deleted or reordered)');
      if (activityHash(row.prev_hash, row) !== row.hash) problem(row.seq, 'its content does not match its hash (edited or reordered)');
      prev = row.hash;
      expectedSeq = row.seq + 1;
    }
    if (rows.length < PAGE) break;
  }
  const before = await db.selectFrom('family_activity').select('seq').where('family_id', '=', familyId).where('seq', '<', head.first_seq).executeTakeFirst();
  if (before) problem(before.seq, 'an event before the chain start (inserted)');
  if (expectedSeq - 1 !== head.last_seq) problem(null, `the chain ends at ${String(expectedSeq - 1)} but its head says ${String(head.last_seq)} (the last events were deleted)`);
  else if (prev !== head.last_hash) problem(null, "the last event's hash differs from the head's (edited)");
}

/** Verifies one family's chain, or every family's (heads and events both counted, so an orphan shows). */
export async function verifyActivity(db: Db, familyId?: string): Promise<VerifyReport> {
  const report: VerifyReport = { families: 0, events: 0, problems: [] };
  let families: string[];
  if (familyId !== undefined) families = [familyId];
  else {
    const heads = await db.selectFrom('family_activity_heads').select('family_id').execute();
    const withEvents = await db.selectFrom('family_activity').select('family_id').distinct().execute();
    families = [...new Set([...heads.map((h) => h.family_id), ...withEvents.map((e) => e.family_id)])].sort();
  }
  for (const f of families) {
    report.families++;
    await verifyFamily(db, f, report);
  }
  return report;
}
