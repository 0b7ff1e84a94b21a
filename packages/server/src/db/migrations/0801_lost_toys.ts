import type { DialectMigration } from './helpers.js';

/**
 * Toys a guardian marked lost or stolen (toys/lost.ts): the toy itself is unpaired and forgotten
 * (its device row goes), this row keeps for the family when it was marked and when the toy last
 * checked in before that. Gone with the family.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('lost_toys')
      .addColumn('toy_id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('child_id', 'text')
      .addColumn('lost_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint')
      .execute();
    await db.schema.createIndex('lost_toys_family').on('lost_toys').columns(['family_id', 'lost_at']).execute();
  },
  async down(db) {
    await db.schema.dropTable('lost_toys').execute();
  },
};
