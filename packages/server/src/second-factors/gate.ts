/**
 * The family-wide second-factor requirement, as the auth hooks enforce it (auth/hooks.ts takes it as
 * a port): a person who belongs to a family whose guardian requires a second factor, and who has
 * neither TOTP on nor a passkey, cannot act as a device (send, read or manage the family's messages
 * and roster) until they add one. Signing in, the Security page and everything else on the account
 * stay open, so they can. Reads the tables this capability owns (totp_factors, passkeys,
 * family_second_factor_rules).
 */
import type { Db } from '../db/index.js';

/** TOTP confirmed, or at least one passkey. */
export async function hasSecondFactor(db: Db, accountId: string): Promise<boolean> {
  const totp = await db
    .selectFrom('totp_factors')
    .select('account_id')
    .where('account_id', '=', accountId)
    .where('enabled_at', 'is not', null)
    .executeTakeFirst();
  if (totp) return true;
  const passkey = await db
    .selectFrom('passkeys')
    .select('id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return passkey !== undefined;
}

/** True when a family this account belongs to requires a second factor. */
export async function requiredByFamily(db: Db, accountId: string): Promise<boolean> {
  const rule = await db
    .selectFrom('family_members')
    .innerJoin(
      'family_second_factor_rules',
      'family_second_factor_rules.family_id',
      'family_members.family_id',
    )
    .select('family_members.family_id')
    .where('family_members.account_id', '=', accountId)
    .executeTakeFirst();
  return rule !== undefined;
}

/** True when a family of this account requires a second factor the account does not have. */
export async function lacksRequiredSecondFactor(db: Db, accountId: string): Promise<boolean> {
  if (!(await requiredByFamily(db, accountId))) return false;
  return !(await hasSecondFactor(db, accountId));
}

/** The gate as the auth hooks take it: `lacksRequired(accountId)`. */
export function createSecondFactorGate(db: Db): { lacksRequired(accountId: string): Promise<boolean> } {
  return { lacksRequired: (accountId) => lacksRequiredSecondFactor(db, accountId) };
}
