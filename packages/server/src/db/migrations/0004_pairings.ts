import type { DialectMigration } from './helpers.js';

/** Pairing windows: one row per toy; `lookup` is unique while set (NULL once claimed). */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('pairings')
      .addColumn('toy_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('lookup', 'text', (c) => c.unique())
      .addColumn('keys_tag', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint')
      .addColumn('family_id', 'text', (c) => c.references('families.id').onDelete('cascade'))
      .addColumn('roster_version', 'integer')
      .addColumn('roster_tag', 'text')
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('pairings').execute();
  },
};
