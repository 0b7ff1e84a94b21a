import { addAutoIdColumn, type DialectMigration } from './helpers.js';

/**
 * Guardians' signed instructions to keep (or stop keeping) a message on a toy as a favourite
 * (favourites/; docs/protocol.md §18), in the order the toy applies them. Ids, a flag and a signature
 * only, no content: the favourite's audio lives on the toy; the server's copy of the message follows
 * retention like any other. Gone with the family.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await addAutoIdColumn(db.schema.createTable('toy_favourites'), 'seq', dialect)
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('toy_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('keep', 'integer', (c) => c.notNull())
      .addColumn('instruction_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('toy_favourites_toy_seq').on('toy_favourites').columns(['toy_id', 'seq']).execute();
    await db.schema.createIndex('toy_favourites_family').on('toy_favourites').columns(['family_id', 'seq']).execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_favourites').execute();
  },
};
