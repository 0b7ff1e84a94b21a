import type { DialectMigration } from './helpers.js';

/**
 * What each toy last reported about its software (updates/store.ts): the version it runs, whether an
 * update waits for its trial start or was rolled back. Guardians see it on the Toys page. Gone with
 * the toy's device row.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('toy_update_reports')
      .addColumn('toy_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_update_reports').execute();
  },
};
