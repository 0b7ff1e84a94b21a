import type { DialectMigration } from './helpers.js';

/**
 * When each toy's stream was last seen, and whether one is open. Kept in the database so every server
 * node answers the same; a node that dies leaves `connected` set, so readers also require a recent
 * heartbeat (stream/presence.ts).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('toy_presence')
      .addColumn('toy_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('connected', 'integer', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_presence').execute();
  },
};
