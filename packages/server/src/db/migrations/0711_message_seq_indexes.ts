import type { DialectMigration } from './helpers.js';

/**
 * Look-ups by message: `message_recipients` (primary key device, message) and `review_releases`
 * (indexed by toy) had no index starting with the message, so deleting a message (its ON DELETE
 * CASCADE) and asking "has every recipient fetched it?" scanned the whole table once per message —
 * the retention sweep over 20,000 messages took minutes (bench/retention.ts).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema.createIndex('message_recipients_message').on('message_recipients').column('message_seq').execute();
    await db.schema.createIndex('review_releases_message').on('review_releases').column('message_seq').execute();
  },
  async down(db) {
    await db.schema.dropIndex('review_releases_message').execute();
    await db.schema.dropIndex('message_recipients_message').execute();
  },
};
