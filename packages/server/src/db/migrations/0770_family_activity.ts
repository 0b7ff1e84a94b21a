import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';
import { addAutoIdColumn } from './helpers.js';

/**
 * The family activity log (issue 13 item 4; docs/privacy.md "Activity log"): what happened in a
 * family, for its guardians — who, when, which toy, never content. Each family's events form a hash
 * chain (audit/activity-chain.ts): `seq` counts from 1 per family, `prev_hash` is the previous
 * event's `hash`. `family_activity_heads` keeps where each chain starts (after pruning) and ends, so
 * deleting the first or the last event shows too.
 *
 * Append-only is the database's rule, not only the application's: triggers refuse every UPDATE and
 * every DELETE, except of events older than 89 days (the log keeps 90; a day of slack for clocks) or
 * of a family that no longer exists (erasure deletes the family first). PostgreSQL refuses TRUNCATE too.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await addAutoIdColumn(db.schema.createTable('family_activity'), 'id', dialect)
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text')
      .addColumn('device_id', 'text')
      .addColumn('toy_id', 'text')
      .addColumn('subject', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addUniqueConstraint('family_activity_family_seq', ['family_id', 'seq'])
      .execute();
    await db.schema.createIndex('family_activity_family_at').on('family_activity').columns(['family_id', 'at']).execute();
    await db.schema.createIndex('family_activity_at').on('family_activity').column('at').execute();
    await db.schema
      .createTable('family_activity_heads')
      .addColumn('family_id', 'text', (c) => c.primaryKey())
      .addColumn('first_seq', 'bigint', (c) => c.notNull())
      .addColumn('anchor_hash', 'text', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();

    const keep = 89 * 24 * 60 * 60;
    if (dialect === 'sqlite') {
      await sql`CREATE TRIGGER family_activity_no_update BEFORE UPDATE ON family_activity
        BEGIN SELECT RAISE(ABORT, 'family_activity is append-only'); END`.execute(db);
      await sql`CREATE TRIGGER family_activity_no_delete BEFORE DELETE ON family_activity
        WHEN OLD.at >= (CAST(strftime('%s', 'now') AS INTEGER) - ${sql.lit(keep)}) * 1000
          AND EXISTS (SELECT 1 FROM families WHERE families.id = OLD.family_id)
        BEGIN SELECT RAISE(ABORT, 'family_activity is append-only'); END`.execute(db);
    } else {
      await sql`CREATE FUNCTION family_activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.at < (extract(epoch FROM now())::bigint - ${sql.lit(keep)}) * 1000
              OR NOT EXISTS (SELECT 1 FROM families WHERE families.id = OLD.family_id) THEN
              RETURN OLD;
            END IF;
          END IF;
          RAISE EXCEPTION 'family_activity is append-only';
        END $$`.execute(db);
      await sql`CREATE TRIGGER family_activity_append_only BEFORE UPDATE OR DELETE ON family_activity
        FOR EACH ROW EXECUTE FUNCTION family_activity_append_only()`.execute(db);
      await sql`CREATE TRIGGER family_activity_no_truncate BEFORE TRUNCATE ON family_activity
        FOR EACH STATEMENT EXECUTE FUNCTION family_activity_append_only()`.execute(db);
    }
  },
  async down(db, dialect) {
    await db.schema.dropTable('family_activity_heads').execute();
    await db.schema.dropTable('family_activity').execute();
    if (dialect === 'postgres') await sql`DROP FUNCTION family_activity_append_only()`.execute(db);
  },
};
