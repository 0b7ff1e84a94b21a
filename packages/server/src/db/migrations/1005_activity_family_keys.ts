import { sql, type Kysely } from 'kysely';
import type { DialectMigration } from './helpers.js';
import { addAutoIdColumn } from './helpers.js';

/**
 * The family activity log's rows belong to their family (issue 13; docs/privacy.md "Activity log"):
 * `family_activity` and `family_activity_heads` get a foreign key to `families` with ON DELETE
 * CASCADE, like every other table naming a family but the audit trail. A batched flush that checked
 * a family while its erasure was committing wrote rows naming the deleted family on PostgreSQL
 * (family-erasure.test); with the key no such row can exist, and deleting the family row deletes
 * its chain in the same statement.
 *
 * The append-only rule of 0770 stays as it was: its triggers let a DELETE through only for events
 * older than 89 days or of a family that no longer exists. A cascade runs after the family row is
 * gone, on both engines, so the trigger lets it through, and nothing else can delete recent events.
 *
 * Rows of families already deleted (written by that race) go first, which the same rule allows.
 * SQLite cannot add a foreign key to a table: it copies both tables into new ones that have it and
 * creates 0770's indexes and triggers again.
 */
const keep = 89 * 24 * 60 * 60;

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TRIGGER family_activity_no_update BEFORE UPDATE ON family_activity
    BEGIN SELECT RAISE(ABORT, 'family_activity is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER family_activity_no_delete BEFORE DELETE ON family_activity
    WHEN OLD.at >= (CAST(strftime('%s', 'now') AS INTEGER) - ${sql.lit(keep)}) * 1000
      AND EXISTS (SELECT 1 FROM families WHERE families.id = OLD.family_id)
    BEGIN SELECT RAISE(ABORT, 'family_activity is append-only'); END`.execute(db);
}

export const migration: DialectMigration = {
  async up(db, dialect) {
    await sql`DELETE FROM family_activity WHERE NOT EXISTS (SELECT 1 FROM families WHERE families.id = family_activity.family_id)`.execute(db);
    await sql`DELETE FROM family_activity_heads WHERE NOT EXISTS (SELECT 1 FROM families WHERE families.id = family_activity_heads.family_id)`.execute(db);
    if (dialect === 'postgres') {
      await sql`ALTER TABLE family_activity ADD CONSTRAINT family_activity_family
        FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE`.execute(db);
      await sql`ALTER TABLE family_activity_heads ADD CONSTRAINT family_activity_heads_family
        FOREIGN KEY (family_id) REFERENCES families(id) ON DELETE CASCADE`.execute(db);
      return;
    }
    await addAutoIdColumn(db.schema.createTable('family_activity_keyed'), 'id', dialect)
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
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
    await sql`INSERT INTO family_activity_keyed SELECT id, family_id, seq, at, kind, account_id, device_id, toy_id, subject, prev_hash, hash FROM family_activity`.execute(db);
    await db.schema
      .createTable('family_activity_heads_keyed')
      .addColumn('family_id', 'text', (c) => c.primaryKey().references('families.id').onDelete('cascade'))
      .addColumn('first_seq', 'bigint', (c) => c.notNull())
      .addColumn('anchor_hash', 'text', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    await sql`INSERT INTO family_activity_heads_keyed SELECT family_id, first_seq, anchor_hash, last_seq, last_hash FROM family_activity_heads`.execute(db);
    // Dropping a table fires no DELETE trigger; its own triggers and indexes go with it.
    await db.schema.dropTable('family_activity').execute();
    await db.schema.dropTable('family_activity_heads').execute();
    await db.schema.alterTable('family_activity_keyed').renameTo('family_activity').execute();
    await db.schema.alterTable('family_activity_heads_keyed').renameTo('family_activity_heads').execute();
    await db.schema.createIndex('family_activity_family_at').on('family_activity').columns(['family_id', 'at']).execute();
    await db.schema.createIndex('family_activity_at').on('family_activity').column('at').execute();
    await sqliteTriggers(db);
  },
};
