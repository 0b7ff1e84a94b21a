/**
 * Accounts appear in the family activity log under a per-family pseudonym, never by their id. The
 * log is append-only and hash-chained (migration 0770), so an event cannot be edited when an account
 * is deleted; yet a deleted account must leave no row that names it (erasure/account.ts). The
 * listing route names each pseudonym back for the accounts the family still knows (members,
 * requesters, blocked accounts); once the account row is gone nothing maps it back: account ids are
 * 128 random bits (auth/tokens.ts newId), so the hash cannot be reversed by guessing, and the family
 * id in it keeps one account's events in two families from being linked.
 */
import { createHash } from 'node:crypto';
import type { ActivityKind } from '@burrow/api';

/** Kinds whose subject is an account (the blocked or unblocked one) rather than a message or device. */
export const ACCOUNT_SUBJECT_KINDS: ReadonlySet<string> = new Set<ActivityKind>(['member_blocked', 'member_unblocked']);

export function accountPseudonym(familyId: string, accountId: string): string {
  return `p_${createHash('sha256').update(`burrow-activity-account-v1\0${familyId}\0${accountId}`).digest('base64url').slice(0, 27)}`;
}

/** Pseudonym → account id for the given accounts of one family. */
export function pseudonymMap(familyId: string, accountIds: Iterable<string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const id of accountIds) map.set(accountPseudonym(familyId, id), id);
  return map;
}
