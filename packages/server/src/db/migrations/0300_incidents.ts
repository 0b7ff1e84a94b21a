import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * Incidents (issue 6): what happened and when it was discovered, and one notice row per affected
 * account, so `burrow incident notify` is idempotent and delivery failures are kept.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('information', 'text', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull())
      .addColumn('occurred_from', 'bigint')
      .addColumn('occurred_to', 'bigint')
      .addColumn('discovered_at', 'bigint', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('incident_notices')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sent', 'failed')`))
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('sent_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_notices_pk', ['incident_id', 'account_id'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('incident_notices').execute();
    await db.schema.dropTable('incidents').execute();
  },
};
