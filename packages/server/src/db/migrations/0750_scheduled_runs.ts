import type { DialectMigration } from './helpers.js';

/**
 * Scheduled work that must run once across nodes (leases/store.ts): one row per job, the time its
 * current run was claimed and the node that claimed it. A node runs a job only after claiming its
 * row with a conditional UPDATE, so with several nodes on one database the job runs once a period.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('scheduled_runs')
      .addColumn('job', 'text', (c) => c.primaryKey())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('node', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('scheduled_runs').execute();
  },
};
