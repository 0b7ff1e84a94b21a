import { sql } from 'kysely';
import { addAutoIdColumn, type DialectMigration } from './helpers.js';

/**
 * Review before play (docs/protocol.md §11). `message_reviews`: one row per (message, toy) held for
 * a guardian's review — waiting, approved (with the guardian's signed review) or declined (the
 * message's envelope and blob are then deleted; the row stays so the sender learns "declined").
 * `review_releases`: the order in which approved messages reach each toy, a feed with its own cursor.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('message_reviews')
      .addColumn('message_seq', 'bigint', (c) => c.notNull().references('messages.seq').onDelete('cascade'))
      .addColumn('toy_id', 'text', (c) => c.notNull())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('waiting', 'approved', 'declined')`))
      .addColumn('review', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_at', 'bigint')
      .addPrimaryKeyConstraint('message_reviews_pk', ['message_seq', 'toy_id'])
      .execute();
    await db.schema.createIndex('message_reviews_family_state').on('message_reviews').columns(['family_id', 'state']).execute();
    await addAutoIdColumn(db.schema.createTable('review_releases'), 'seq', dialect)
      .addColumn('message_seq', 'bigint', (c) => c.notNull().references('messages.seq').onDelete('cascade'))
      .addColumn('toy_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_releases_toy_seq').on('review_releases').columns(['toy_id', 'seq']).execute();
  },
  async down(db) {
    await db.schema.dropTable('review_releases').execute();
    await db.schema.dropTable('message_reviews').execute();
  },
};
