import type { DialectMigration } from './helpers.js';

/**
 * Short-lived, single-use tickets that let a browser open /v1/stream as a toy (a WebSocket handshake
 * cannot carry an Authorization header). Only SHA-256 of a ticket is stored.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('stream_tickets')
      .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('stream_tickets').execute();
  },
};
