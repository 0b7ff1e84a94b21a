import type { DialectMigration } from './helpers.js';

/**
 * The name each person's device goes by in a family ("Grandma"), sealed to the persons' devices of
 * the roster like a toy name: a display name is family data (DESIGN.md), so the server keeps only the
 * signed, sealed record (member-names/store.ts owns it; docs/protocol.md §15).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('member_names')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('name_ciphertext', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('member_names_pk', ['family_id', 'device_id'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('member_names').execute();
  },
};
