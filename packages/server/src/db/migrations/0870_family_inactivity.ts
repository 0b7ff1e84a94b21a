import type { DialectMigration } from './helpers.js';

/**
 * Inactive families (inactivity/; docs/privacy.md "Inactive families"): the last sign-in of any
 * member the daily maintenance has seen, and once the family is past the inactivity period, when its
 * guardians were warned and when it will be deleted. Gone with the family (cascade).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('family_inactivity')
      .addColumn('family_id', 'text', (c) => c.primaryKey().references('families.id').onDelete('cascade'))
      .addColumn('last_sign_in_at', 'bigint', (c) => c.notNull())
      .addColumn('warned_at', 'bigint')
      .addColumn('delete_after', 'bigint')
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('family_inactivity').execute();
  },
};
