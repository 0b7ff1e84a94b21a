/**
 * What a send needs to know before it stores anything, in one statement (issue #11): the family's
 * current roster head, the blob's size and the sender's send rate (this folder's tables), the
 * recipients' newest KEM epochs (kem-keys/), which of them are devices paired to the family
 * (devices/) and their toy settings (toys/, for review holds). Each owner writes the read of its own
 * table as fact rows (db/facts.ts); this module only joins them with `union all`. Six statements a
 * send made one after another (five owners' reads and the roster head) are now one.
 *
 * The decisions stay where they were (service.ts checkRouting, checkKeyEpochs, review/hold.ts): each
 * gets the same rows it read before, read a few statements earlier. None of these reads was ever in
 * the write's transaction, so reading them together moves no check across a commit.
 */
import type { Db } from '../db/index.js';
import { compiledInList } from '../db/compiled.js';
import { factNumber } from '../db/facts.js';
import { pairedFacts } from '../devices/store.js';
import { rosterHeadFact } from '../families/rosters.js';
import { epochFacts } from '../kem-keys/store.js';
import { settingsFacts } from '../toys/store.js';
import type { RosterHead } from './roster-cache.js';
import { blobFact, sendRateFact } from './store.js';

export interface SendFacts {
  /** undefined: the family has no roster (no such family). */
  rosterHead: RosterHead | undefined;
  /** The blob's size; undefined: not uploaded (or the envelope has no blob). */
  blobSize: number | undefined;
  /** The sender's `offset`-th most recent message's time; undefined: it sent fewer. */
  nthLastSentAt: number | undefined;
  /** Each recipient's newest published epoch; absent: it never rotated (epoch 0). */
  epochs: Map<string, number>;
  /** The recipients that are devices paired to the family. */
  paired: Set<string>;
  /** The recipients' stored toy settings JSON; absent: none. */
  settings: Map<string, string>;
}

// Compiled once per recipient count up to IN_LIST_KEPT (db/compiled.ts); one query shape for all.
const sendFactsQuery = compiledInList(
  4,
  (db, ids, familyId: string, blobHash: string, senderId: string, offset: number) =>
    rosterHeadFact(db, familyId)
      .unionAll(blobFact(db, familyId, blobHash))
      .unionAll(sendRateFact(db, senderId, offset))
      .unionAll(epochFacts(db, ids as string[]))
      .unionAll(pairedFacts(db, ids as string[], familyId))
      .unionAll(settingsFacts(db, ids as string[])),
);

/**
 * Reads the send's facts for `recipients` (a parsed envelope has one at least) of `familyId`;
 * `blobHash` null: the envelope has no blob. `rateOffset`: which of the sender's messages, newest
 * first, decides its send rate.
 */
export async function readSendFacts(
  db: Db,
  familyId: string,
  recipients: readonly string[],
  blobHash: string | null,
  senderId: string,
  rateOffset: number,
): Promise<SendFacts> {
  if (recipients.length === 0) throw new Error('readSendFacts needs a recipient'); // parseEnvelope guarantees one
  // No blob: an empty hash, which no blob row has (hashes are 43 characters of base64url).
  const rows = await sendFactsQuery.all(db, recipients, familyId, blobHash ?? '', senderId, rateOffset);
  const facts: SendFacts = {
    rosterHead: undefined,
    blobSize: undefined,
    nthLastSentAt: undefined,
    epochs: new Map(),
    paired: new Set(),
    settings: new Map(),
  };
  for (const row of rows) {
    if (row.fact === 'roster' && row.id !== null && row.n !== null)
      facts.rosterHead = { version: Number(row.n), hash: row.id };
    else if (row.fact === 'blob' && blobHash !== null) facts.blobSize = factNumber(row);
    else if (row.fact === 'rate') facts.nthLastSentAt = factNumber(row);
    else if (row.fact === 'epoch' && row.id !== null && row.n !== null)
      facts.epochs.set(row.id, Number(row.n));
    else if (row.fact === 'paired' && row.id !== null) facts.paired.add(row.id);
    else if (row.fact === 'settings' && row.id !== null && row.s !== null) facts.settings.set(row.id, row.s);
  }
  return facts;
}
