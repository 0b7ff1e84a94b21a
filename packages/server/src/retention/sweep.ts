/**
 * The retention sweep (docs/privacy.md, "How long the server keeps a message"). It pages through
 * every message in order and, for each page:
 *
 * - deletes a message every recipient device fetched once it is older than its family's retention
 *   period (rows and blob);
 * - expires a message some recipient has not fetched after UNFETCHED_EXPIRY_DAYS: content and blob
 *   go, a tombstone row stays so the sender's sent list says "expired" (and the sender's devices get
 *   an `expired` event now);
 * - deletes an expired tombstone EXPIRED_NOTICE_DAYS after it expired.
 *
 * A second pass repairs the blob index: a blob no message points at, older than a day (an upload
 * waits that long for its message at most), is deleted — this is what finishes a deletion the
 * process stopped halfway through (row gone, bytes not yet). The sweep keeps no state but its cursor,
 * so a restart simply starts again: it is idempotent. Every write goes through messages/store.ts,
 * the tables' owner.
 *
 * SQLite is synchronous in this process: a statement holds the event loop (and every request behind
 * it) until it ends. So a page is several short units with a rest between them (`restRatio`): the
 * page's select, then its deletions in transactions of a tenth of the page, blob files deleted
 * concurrently off the loop; each page reports its longest unit (`busyMs`), which sizes the next.
 */
import { RETENTION_DAYS, UNFETCHED_EXPIRY_DAYS } from '@burrow/api';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { checkpointAfterErasure, checkpointerOf, type Db } from '../db/index.js';
import { createSlicer, type BatchDelete } from '../maintenance/index.js';
import {
  blobPage,
  deleteBlobBytes,
  deleteBlobUnlessReferenced,
  deleteMessages,
  deleteUnreferencedBlobRows,
  expireMessages,
  messagePage,
  type MessageRef,
} from '../messages/store.js';
import { retentionDaysOf } from './store.js';

const DAY = 24 * 60 * 60 * 1000;
/** How long the sender's sent list shows "expired" before the tombstone itself goes. */
export const EXPIRED_NOTICE_DAYS = 30;
/** An uploaded blob no message points at is deleted after this long. */
export const ORPHAN_BLOB_GRACE_MS = DAY;
/** A page's deletions go in transactions of at most 1/DELETE_SHARE of the page's size. */
const DELETE_SHARE = 10;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const rest = (ms: number): Promise<void> => (ms < 1 ? nextTurn() : new Promise((resolve) => setTimeout(resolve, ms)));

export interface RetentionSweepOptions {
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  /**
   * After each unit of synchronous work the sweep rests this many times as long before the next
   * (default 1: the sweep holds the event loop at most half the time). A request in flight crosses
   * the event loop several times (HTTP, each statement's turn, the commit's fsync), and would wait
   * behind a unit at every crossing if units followed each other back to back. `burrow retention
   * run`, with no requests to serve, passes 0.
   */
  restRatio?: number;
}

export interface RetentionSweep {
  /**
   * One page of messages (a maintenance job: deletes and expires what is due), with its longest
   * stretch of synchronous database work (`busyMs`, which sizes the next page).
   */
  messages: (limit: number) => Promise<{ scanned: number; deleted: number; busyMs: number }>;
  /** One page of the blob index (a maintenance job: deletes blobs no message points at). */
  blobs: BatchDelete;
}

/** What the sweep does with one message now. */
export function dueAction(m: MessageRef, retentionDays: number, now: number): 'delete' | 'expire' | null {
  if (m.expiredAt !== null) return m.expiredAt <= now - EXPIRED_NOTICE_DAYS * DAY ? 'delete' : null;
  if (m.unfetched) return m.createdAt <= now - UNFETCHED_EXPIRY_DAYS * DAY ? 'expire' : null;
  return m.createdAt <= now - retentionDays * DAY ? 'delete' : null;
}

export function createRetentionSweep({ db, blobs, bus, clock, restRatio = 1 }: RetentionSweepOptions): RetentionSweep {
  // How long the last unit held the event loop: the next one waits restRatio times that first.
  let lastUnitMs = 0;
  const unit = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    await rest(lastUnitMs * restRatio);
    const started = performance.now();
    const value = await work();
    lastUnitMs = performance.now() - started;
    return { value, ms: lastUnitMs };
  };
  // Cursors of the pass in progress; a short page ends the pass and the next one starts over.
  let afterSeq = 0;
  let afterBlob: { familyId: string; hash: string } | null = null;
  let deletedThisPass = 0;
  let blobsDeletedThisPass = 0;

  return {
    async messages(limit) {
      const now = clock.now();
      const read = await unit(async () => {
        const page = await messagePage(db, afterSeq, limit);
        return { page, days: await retentionDaysOf(db, page.map((m) => m.familyId)) };
      });
      const { page, days } = read.value;
      let busyMs = read.ms;
      const due: { m: MessageRef; action: 'delete' | 'expire' }[] = [];
      for (const m of page) {
        const action = dueAction(m, days.get(m.familyId) ?? RETENTION_DAYS.default, now);
        if (action) due.push({ m, action });
      }
      // Deleting a message costs about ten times reading it (bench/retention.ts), so the page's
      // deletions go in transactions of a tenth of the page, each its own unit: no stretch of
      // synchronous SQLite work is much longer than the page's select.
      const chunk = Math.max(1, Math.ceil(limit / DELETE_SHARE));
      for (let i = 0; i < due.length; i += chunk) {
        const part = due.slice(i, i + chunk);
        const remove = part.filter((d) => d.action === 'delete').map((d) => d.m);
        const expire = part.filter((d) => d.action === 'expire').map((d) => d.m);
        const byFamily = new Map<string, string[]>();
        for (const { m } of part) if (m.blobHash !== null) byFamily.set(m.familyId, [...(byFamily.get(m.familyId) ?? []), m.blobHash]);
        // One transaction: the messages, and the index rows of blobs no message points at any more
        // (the same bytes may be shared); the bytes themselves after the commit.
        const written = await unit(() =>
          db.transaction().execute(async (trx) => {
            await deleteMessages(trx, remove.map((m) => m.seq));
            await expireMessages(trx, expire.map((m) => m.seq), now);
            const gone = new Map<string, string[]>();
            for (const [familyId, hashes] of byFamily) gone.set(familyId, await deleteUnreferencedBlobRows(trx, familyId, hashes));
            return gone;
          }),
        );
        busyMs = Math.max(busyMs, written.ms);
        // Files go concurrently, one family's at a time each: the disk waits, the event loop does not.
        await Promise.all([...written.value].map(([familyId, hashes]) => deleteBlobBytes(blobs, familyId, hashes)));
        for (const m of expire) bus.publish(topics.device(m.senderId), { type: 'expired', messageId: m.id });
      }
      deletedThisPass += due.length;
      afterSeq = page.length < limit ? 0 : (page.at(-1)?.seq ?? 0);
      if (page.length < limit && deletedThisPass > 0) {
        // The pass is over: leave none of what it deleted in SQLite's write-ahead log (db/erase.ts).
        deletedThisPass = 0;
        // A serving connection's checkpoint worker does it off the event loop: waited for, not a unit.
        if (checkpointerOf(db)) await checkpointAfterErasure(db);
        else busyMs = Math.max(busyMs, (await unit(() => checkpointAfterErasure(db))).ms);
      }
      return { scanned: page.length, deleted: due.length, busyMs };
    },

    async blobs(limit) {
      // Each orphan is three statements and a file: sliced, with a turn of the event loop every few ms.
      const slicer = createSlicer();
      const page = await blobPage(db, afterBlob, limit);
      const cutoff = clock.now() - ORPHAN_BLOB_GRACE_MS;
      let deleted = 0;
      for (const b of page) {
        if (!b.referenced && b.createdAt <= cutoff && (await deleteBlobUnlessReferenced(db, blobs, b.familyId, b.hash))) deleted++;
        await slicer.next();
      }
      const busyMs = slicer.longestMs();
      const last = page.at(-1);
      afterBlob = page.length < limit || !last ? null : { familyId: last.familyId, hash: last.hash };
      blobsDeletedThisPass += deleted;
      if (!afterBlob && blobsDeletedThisPass > 0) {
        // A repair usually finishes a deletion that stopped halfway: flush its rows out of the WAL too
        // (a serving connection's worker does it, off the event loop: waited for, not busy).
        blobsDeletedThisPass = 0;
        await checkpointAfterErasure(db);
      }
      return { scanned: page.length, deleted, busyMs };
    },
  };
}
