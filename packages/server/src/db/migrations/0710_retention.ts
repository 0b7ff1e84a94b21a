import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * Retention (docs/privacy.md, retention/): `family_retention` holds a family's chosen retention period
 * in days (1-365; no row means the default, 30), gone with the family. `messages.expired_at` marks a
 * message that expired unfetched: its content is gone, the row stays a while as a tombstone so its
 * sender learns "expired". `messages_family_blob` makes "does a message still point at this blob?"
 * (asked for every deleted message) an index look-up instead of a scan of the family's messages.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('family_retention')
      .addColumn('family_id', 'text', (c) => c.primaryKey().references('families.id').onDelete('cascade'))
      .addColumn('days', 'integer', (c) => c.notNull().check(sql`days between 1 and 365`))
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('messages').addColumn('expired_at', 'bigint').execute();
    await db.schema.createIndex('messages_family_blob').on('messages').columns(['family_id', 'blob_hash']).execute();
  },
  async down(db) {
    await db.schema.dropIndex('messages_family_blob').execute();
    await db.schema.alterTable('messages').dropColumn('expired_at').execute();
    await db.schema.dropTable('family_retention').execute();
  },
};
