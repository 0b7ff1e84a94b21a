import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/** Devices: a person's (owned by an account) and toys (bearer token hash, family and child). */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('person', 'toy')`))
      .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
      .addColumn('sign_public_key', 'text', (c) => c.notNull())
      .addColumn('kem_public_key', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.unique())
      .addColumn('family_id', 'text', (c) => c.references('families.id').onDelete('set null'))
      .addColumn('child_id', 'text', (c) => c.references('children.id').onDelete('set null'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('devices_account_id').on('devices').column('account_id').execute();
    await db.schema.createIndex('devices_family_id').on('devices').column('family_id').execute();
  },
  async down(db) {
    await db.schema.dropTable('devices').execute();
  },
};
