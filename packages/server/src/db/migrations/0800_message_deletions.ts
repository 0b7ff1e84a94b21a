import { addAutoIdColumn, type DialectMigration } from './helpers.js';

/**
 * Signed instructions to delete a message (toys/deletions.ts; docs/protocol.md §16), kept for the
 * family's toys to fetch so one that already queued the message drops it unplayed. Ids and a
 * signature only, no content; kept 30 days, and gone with the family.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await addAutoIdColumn(db.schema.createTable('message_deletions'), 'seq', dialect)
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('instruction_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('message_deletions_family_seq').on('message_deletions').columns(['family_id', 'seq']).execute();
  },
  async down(db) {
    await db.schema.dropTable('message_deletions').execute();
  },
};
