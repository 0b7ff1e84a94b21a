import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * Consent to membership (issue 4): invitations (stored as a hash of the code only), join requests a
 * guardian approves or declines, and per-family blocks. A person's devices may appear in a roster
 * only once their account was admitted through an approved request.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.references('accounts.id').onDelete('set null'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('invitations_family_id').on('invitations').column('family_id').execute();
    await db.schema
      .createTable('join_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('invitation_id', 'text', (c) => c.references('invitations.id').onDelete('set null'))
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('pending', 'approved', 'declined', 'removed', 'blocked')`),
      )
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('join_requests_family_account')
      .on('join_requests')
      .columns(['family_id', 'account_id'])
      .execute();
    await db.schema
      .createTable('family_blocks')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('family_blocks_pk', ['family_id', 'account_id'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('family_blocks').execute();
    await db.schema.dropTable('join_requests').execute();
    await db.schema.dropTable('invitations').execute();
  },
};
