import type { DialectMigration } from './helpers.js';

/**
 * Signed toy update bundles (docs/protocol.md §13, docs/updates.md). The server only stores and
 * serves them: the bundle is kept whole (base64url, so one column type serves both dialects) and the
 * toy verifies it against its pinned release key. `version_key` is the version zero-padded so text
 * order is version order.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('toy_updates')
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('version_key', 'text', (c) => c.notNull())
      .addColumn('min_version', 'text', (c) => c.notNull())
      .addColumn('manifest_json', 'text', (c) => c.notNull())
      .addColumn('bundle_base64', 'text', (c) => c.notNull())
      .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('toy_updates_pk', ['target', 'version'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_updates').execute();
  },
};
