import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * What the start-up conversions look for, indexed by itself (partial indexes, SQLite and
 * PostgreSQL): accounts whose address is still in clear (`email_ciphertext is null`, converted by
 * `encryptClearEmails`) and incident notices whose recipient address is still in clear (written
 * before migration 0830; sealed by `sealClearNoticeEmails`, incidents/store.ts). Both run at every start: without these
 * each start read the whole table to find nothing (821k accounts: the CloudPets size). An index
 * holding only the rows still to convert is empty once they are, so finding nothing costs nothing.
 */
export const migration: DialectMigration = {
  async up(db) {
    // Raw SQL: the same partial-index syntax on both dialects. A sealed address never holds an '@'
    // (base64url), a clear one always does.
    await sql`create index accounts_email_clear on accounts (id) where email_ciphertext is null`.execute(db);
    await sql`create index incident_notices_email_clear on incident_notices (incident_id, account_id) where email like '%@%'`.execute(db);
  },
  async down(db) {
    await db.schema.dropIndex('incident_notices_email_clear').execute();
    await db.schema.dropIndex('accounts_email_clear').execute();
  },
};
