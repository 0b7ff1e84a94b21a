import type { DialectMigration } from './helpers.js';

/**
 * The weekly activity summary a guardian opted in to (audit/activity-summary-store.ts): one row per
 * guardian and family, with when the last summary went. Gone with the family or the account (cascade).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('activity_summaries')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_sent_at', 'bigint')
      .addPrimaryKeyConstraint('activity_summaries_pk', ['family_id', 'account_id'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('activity_summaries').execute();
  },
};
