import type { DialectMigration } from './helpers.js';

/**
 * Presence without a write per toy per interval (stream/presence.ts): each server node refreshes one
 * liveness row in `stream_nodes`, and a toy's `toy_presence` row names the node holding its stream
 * (`node_id`, null for rows written before this). A toy is online while its row says connected and
 * its node's row is fresh.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('stream_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('alive_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('toy_presence').addColumn('node_id', 'text').execute();
    await db.schema
      .createIndex('toy_presence_node')
      .on('toy_presence')
      .columns(['node_id', 'connected'])
      .execute();
  },
  async down(db) {
    await db.schema.dropIndex('toy_presence_node').execute();
    await db.schema.alterTable('toy_presence').dropColumn('node_id').execute();
    await db.schema.dropTable('stream_nodes').execute();
  },
};
