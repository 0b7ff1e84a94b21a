/**
 * After an erasure (an account, a child, a family), what the database still keeps of deleted rows on
 * disk. SQLite runs with `secure_delete` (open-db.ts), so deleted content is overwritten with zeros
 * in the pages it leaves; the write-ahead log still holds the frames written before the deletion
 * until a checkpoint copies them back and truncates it. PostgreSQL keeps dead tuples until VACUUM
 * reclaims them (autovacuum, or the operator: docs/operations.md "Erasure").
 */
import { sql, SqliteAdapter } from 'kysely';
import { checkpointerOf } from './open-db.js';
import type { Db } from './schema.js';
import { unrecorded } from './query-shapes.js';

/**
 * On SQLite, checkpoints the WAL into the database file and truncates it (`wal_checkpoint(TRUNCATE)`),
 * so the deleted rows' old frames are gone from the disk too. Returns whether the log was emptied
 * (false while another connection reads an older snapshot; the next checkpoint finishes the job).
 * On PostgreSQL it does nothing and returns true. A serving connection's checkpoint worker does it
 * off the event loop (db/checkpointer.ts); other connections (one-shot commands) do it themselves.
 */
export async function checkpointAfterErasure(db: Db): Promise<boolean> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return true;
  // A worker that has stopped or failed rejects: then this connection checkpoints itself, as before.
  const byWorker = await checkpointerOf(db)
    ?.erase()
    .catch(() => null);
  if (byWorker !== undefined && byWorker !== null) return byWorker;
  // SQLite's own command, with no PostgreSQL counterpart to test (query-shapes.ts).
  const result = await unrecorded(() => sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db));
  return (result.rows[0]?.busy ?? 0) === 0;
}
