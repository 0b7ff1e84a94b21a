import type { DialectMigration } from './helpers.js';
import { addAutoIdColumn } from './helpers.js';

/**
 * Second factors and passkeys (issue 5): WebAuthn credentials (public key and signature counter
 * only), single-use WebAuthn challenges, TOTP secrets (encrypted with a key derived from the
 * server's pepper; never stored in clear), hashed recovery codes, pending sign-ins waiting for a
 * second factor (SHA-256 of their token), the per-account security event log, and the families
 * whose guardians require a second factor of every member.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('credential_id', 'text', (c) => c.notNull().unique())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('transports', 'text')
      .addColumn('name_ciphertext', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_account_id').on('passkeys').column('account_id').execute();
    await db.schema
      .createTable('webauthn_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('challenge', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('totp_factors')
      .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
      .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('enabled_at', 'bigint')
      .addColumn('last_step', 'bigint')
      .execute();
    await db.schema
      .createTable('recovery_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('recovery_codes_account_id')
      .on('recovery_codes')
      .column('account_id')
      .execute();
    await db.schema
      .createTable('pending_logins')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await addAutoIdColumn(db.schema.createTable('security_events'), 'id', dialect)
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('browser', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema
      .createIndex('security_events_account_at')
      .on('security_events')
      .columns(['account_id', 'at'])
      .execute();
    await db.schema
      .createTable('family_second_factor_rules')
      .addColumn('family_id', 'text', (c) => c.primaryKey().references('families.id').onDelete('cascade'))
      .addColumn('required_at', 'bigint', (c) => c.notNull())
      .addColumn('required_by', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    for (const table of [
      'family_second_factor_rules',
      'security_events',
      'pending_logins',
      'recovery_codes',
      'totp_factors',
      'webauthn_challenges',
      'passkeys',
    ])
      await db.schema.dropTable(table).execute();
  },
};
