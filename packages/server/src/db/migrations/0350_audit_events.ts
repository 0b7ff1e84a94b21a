import type { DialectMigration } from './helpers.js';
import { addAutoIdColumn } from './helpers.js';

/**
 * The audit trail (issue 6, docs/operations.md "Audit trail"): who (account, device, session,
 * address) touched which family's data and how. Append-only: the server inserts rows and deletes
 * only those past the retention period; nothing updates a row.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await addAutoIdColumn(db.schema.createTable('audit_events'), 'id', dialect)
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('account_id', 'text')
      .addColumn('device_id', 'text')
      .addColumn('session_ref', 'text')
      .addColumn('ip', 'text')
      .addColumn('family_id', 'text')
      .addColumn('resource', 'text')
      .execute();
    await db.schema.createIndex('audit_events_family_at').on('audit_events').columns(['family_id', 'at']).execute();
    await db.schema.createIndex('audit_events_account_at').on('audit_events').columns(['account_id', 'at']).execute();
    await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
  },
  async down(db) {
    await db.schema.dropTable('audit_events').execute();
  },
};
