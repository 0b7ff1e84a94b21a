import type { DialectMigration } from './helpers.js';

/**
 * Identity successions (docs/protocol.md §17; devices/successions.ts): a device's request, signed by
 * its old and new identity, waits here for a guardian device; once a guardian published the roster
 * that performs it, the countersigned succession is kept (it is public, signed data like the
 * rosters) so toys and apps can verify it beside that roster version. Gone with the family.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('device_successions')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('from_id', 'text', (c) => c.notNull())
      .addColumn('to_id', 'text', (c) => c.notNull())
      /** The request JSON while pending, the countersigned succession once done. */
      .addColumn('record', 'text', (c) => c.notNull())
      /** null while pending; the roster version that performed it. */
      .addColumn('roster_version', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_successions_pk', ['family_id', 'from_id'])
      .execute();
    await db.schema.createIndex('device_successions_version').on('device_successions').columns(['family_id', 'roster_version']).execute();
  },
  async down(db) {
    await db.schema.dropTable('device_successions').execute();
  },
};
