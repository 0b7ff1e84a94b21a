import type { DialectMigration } from './helpers.js';

/**
 * Account security (issue 5): which pepper an account's hash was made with and when its email was
 * verified; a public id, last use, address and browser for each session; single-use tokens for
 * verification and reset links (SHA-256 only); failed-attempt counters for online-guessing limits;
 * the browsers an account has signed in from (for "new sign-in" notices).
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('accounts').addColumn('pepper_id', 'text').execute();
    await db.schema.alterTable('accounts').addColumn('email_verified_at', 'bigint').execute();
    await db.schema.alterTable('sessions').addColumn('id', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('last_used_at', 'bigint').execute();
    await db.schema.alterTable('sessions').addColumn('ip', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
    await db.schema.createIndex('sessions_id').on('sessions').column('id').unique().execute();
    await db.schema
      .createTable('account_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('account_links_account_id').on('account_links').column('account_id').execute();
    await db.schema
      .createTable('auth_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('blocked_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sign_in_browsers')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('browser_hash', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sign_in_browsers_pk', ['account_id', 'browser_hash'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('sign_in_browsers').execute();
    await db.schema.dropTable('auth_throttle').execute();
    await db.schema.dropTable('account_links').execute();
  },
};
