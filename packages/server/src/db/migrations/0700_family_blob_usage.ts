import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * A running total of each family's stored ciphertext, so the storage quota is one row read instead
 * of a sum over every blob the family ever stored (issue #11: costs independent of history). Kept by
 * messages/store.ts with every blob row it inserts or deletes; filled here from the blobs there are.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('family_blob_usage')
      .addColumn('family_id', 'text', (c) => c.primaryKey().references('families.id').onDelete('cascade'))
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into family_blob_usage (family_id, bytes) select family_id, sum(size) from blobs group by family_id`.execute(db);
  },
  async down(db) {
    await db.schema.dropTable('family_blob_usage').execute();
  },
};
