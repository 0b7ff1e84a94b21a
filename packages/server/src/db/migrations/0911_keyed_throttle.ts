import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * `auth_throttle` keys become a keyed HMAC under a key derived from the pepper (accounts/throttle.ts).
 * The rows written before were unkeyed SHA-256 of an email address (or a client address), which a
 * dictionary of addresses opens; they cannot be converted (only their hash is here), so they go.
 * The cost: guessing counters and blocks in force start afresh once, at the upgrade.
 */
export const migration: DialectMigration = {
  async up(db) {
    await sql`delete from auth_throttle`.execute(db);
  },
};
