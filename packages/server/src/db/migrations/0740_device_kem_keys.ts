import type { DialectMigration } from './helpers.js';

/**
 * The newest KEM key record each device has published (kem-keys/store.ts; docs/protocol.md §14):
 * one row per device that has rotated, replaced by each newer epoch. The record is public-key
 * material signed by the device. Gone with the device's row.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('device_kem_keys')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('record_json', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('device_kem_keys').execute();
  },
};
