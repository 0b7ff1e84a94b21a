import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * A tripwire event that does not know whose password set it checked finds the account by the set's
 * PHC string (tripwires/owner.ts); without an index that read every account (598 ms at a tenth of
 * CloudPets' size). The index holds the string's first 80 characters — algorithm, costs and the
 * per-account random salt — not the whole string (with 20 sweetwords it is ~900 characters, so an
 * index of it would be larger than the table). Nothing in it is new to someone holding the
 * database: it is a prefix of a column beside it, and the salt is shared by the real password and
 * every decoy, so it says nothing about which one is real (docs/tripwires.md, threat model).
 * Expression indexes, the same syntax on SQLite and PostgreSQL.
 */
export const migration: DialectMigration = {
  async up(db) {
    await sql`create index accounts_password_salt on accounts (substr(password_hash, 1, 80))`.execute(db);
  },
  async down(db) {
    await db.schema.dropIndex('accounts_password_salt').execute();
  },
};
