import type { DialectMigration } from './helpers.js';

/** Families, their signed rosters, membership derived from the roster, and sealed child profiles. */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('families')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rosters')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('roster', 'text', (c) => c.notNull())
      .addColumn('roster_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rosters_pk', ['family_id', 'version'])
      .execute();
    await db.schema
      .createTable('family_members')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('family_members_pk', ['family_id', 'account_id'])
      .execute();
    await db.schema
      .createIndex('family_members_account_id')
      .on('family_members')
      .column('account_id')
      .execute();
    await db.schema
      .createTable('children')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('profile_ciphertext', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('children_family_id').on('children').column('family_id').execute();
  },
  async down(db) {
    await db.schema.dropTable('children').execute();
    await db.schema.dropTable('family_members').execute();
    await db.schema.dropTable('rosters').execute();
    await db.schema.dropTable('families').execute();
  },
};
