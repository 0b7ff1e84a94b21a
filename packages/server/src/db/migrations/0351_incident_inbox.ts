import type { DialectMigration } from './helpers.js';

/**
 * What `burrow incident notify` leaves behind besides mail (issue 6): the in-app notice of each
 * affected account (read or not), when its sessions were forcibly ended, the password reset it must
 * make before it can sign in again, and the session tokens an incident revoked (so one presented
 * again is recognised as a stolen token, not a stale cookie).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('incident_inbox')
      .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .addColumn('signed_out_at', 'bigint')
      .addColumn('reset_required_at', 'bigint')
      .addPrimaryKeyConstraint('incident_inbox_pk', ['incident_id', 'account_id'])
      .execute();
    await db.schema.createIndex('incident_inbox_account').on('incident_inbox').column('account_id').execute();
    await db.schema
      .createTable('forced_password_resets')
      .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
      .addColumn('incident_id', 'text', (c) => c.notNull())
      // The hash the account had when the reset was required: any new password lifts the requirement.
      .addColumn('password_hash_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('revoked_credentials')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text')
      // The address the session was last used from: the same token from there is the owner's stale cookie.
      .addColumn('last_ip', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('revoked_credentials').execute();
    await db.schema.dropTable('forced_password_resets').execute();
    await db.schema.dropTable('incident_inbox').execute();
  },
};
