import type { DialectMigration } from './helpers.js';

/**
 * A toy's display name ("Bunny"), sealed to the family's devices like a child profile: a display name
 * is family data (DESIGN.md), so the server keeps only the signed, sealed record.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('toy_names')
      .addColumn('toy_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('name_ciphertext', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('toy_names').execute();
  },
};
