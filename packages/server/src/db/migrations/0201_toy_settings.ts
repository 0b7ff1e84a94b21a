import type { DialectMigration } from './helpers.js';

/** Guardian-signed toy settings (quiet hours), the latest per toy; the toy verifies them itself. */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('toy_settings')
      .addColumn('toy_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_settings').execute();
  },
};
