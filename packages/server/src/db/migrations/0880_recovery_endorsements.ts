import type { DialectMigration } from './helpers.js';

/**
 * A toy's signature that it verified and pinned a recovery roster (recovery/endorsements.ts,
 * docs/protocol.md §5.1): the family's other devices need it to follow that roster step. Public
 * signatures only; gone with the family.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('recovery_endorsements')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('toy_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('recovery_endorsements_pk', ['family_id', 'version', 'toy_id'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('recovery_endorsements').execute();
  },
};
