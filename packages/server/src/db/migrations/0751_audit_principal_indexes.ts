import type { DialectMigration } from './helpers.js';

/**
 * Incident queries by session, device or address (audit/queries.ts familiesReachedBy) read the
 * audit trail through an index on (principal, at) instead of scanning the window: at CloudPets size
 * the trail holds millions of rows, and an automatic incident asks this while the service runs.
 * Accounts and families already have theirs (0350).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema.createIndex('audit_events_session_at').on('audit_events').columns(['session_ref', 'at']).execute();
    await db.schema.createIndex('audit_events_device_at').on('audit_events').columns(['device_id', 'at']).execute();
    await db.schema.createIndex('audit_events_ip_at').on('audit_events').columns(['ip', 'at']).execute();
  },
  async down(db) {
    for (const name of ['audit_events_session_at', 'audit_events_device_at', 'audit_events_ip_at']) await db.schema.dropIndex(name).execute();
  },
};
