import type { DialectMigration } from './helpers.js';

/**
 * Email addresses at rest (issue 13 item 5; accounts/email-store.ts): `accounts.email` becomes
 * `email_index` (keeping its unique constraint, which now keeps blind indexes unique) and
 * `email_ciphertext` is added. The conversion itself needs the server's pepper, which the database
 * must not hold, so it is not in this migration: the server converts the rows at start
 * (`encryptClearEmails`, app.ts), in batches, before anything reads an address. Until then a row's
 * `email_index` still holds its address in clear and its `email_ciphertext` is null.
 */
export const migration: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('accounts').renameColumn('email', 'email_index').execute();
    await db.schema.alterTable('accounts').addColumn('email_ciphertext', 'text').execute();
  },
};
