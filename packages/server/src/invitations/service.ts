/**
 * Who may join a family (issue 4). A guardian creates an invitation (single use, expiring, stored as
 * a hash); a signed-in person redeems it, which files a join request; a guardian approves or
 * declines. Approval admits the account: only then may a guardian's device list its devices in a
 * roster (families/rosters.ts), and the roster entry carries what the guardian allowed. A blocked
 * account loses access at once, cannot be listed in a roster and cannot ask to join again.
 */
import type { Logger } from 'pino';
import { newId } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { AccountEmails } from '../accounts/index.js';
import { isForeignKeyViolation, type Db, type JoinRequestStatus } from '../db/index.js';
import { badRequest, conflict, forbidden, notFound, refuse, signInFirst } from '../errors/index.js';
import { asGuardianOfExistingFamily, lockFamilyOrNotFound, requireGuardian } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { personDevicesOf } from '../devices/store.js';
import { removeMember } from '../families/store.js';
import { hashInvitationCode, newInvitationCode, normalizeInvitationCode } from './code.js';
import {
  decideJoinRequest,
  deleteBlock,
  deleteUnusedInvitation,
  insertBlock,
  insertInvitation,
  insertJoinRequest,
  markInvitationUsed,
} from './store.js';

export const DEFAULT_INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_INVITATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface AccountDevice {
  deviceId: string;
  signPublicKey: string;
  kemPublicKey: string;
  createdAt: number;
}

export interface JoinRequestView {
  requestId: string;
  accountId: string;
  email: string;
  status: JoinRequestStatus;
  createdAt: number;
  devices: AccountDevice[];
}

export interface PendingDevice extends AccountDevice {
  accountId: string;
  email: string;
}

export interface Invitations {
  createInvitation(
    accountId: string,
    familyId: string,
    ttlMs: number | undefined,
  ): Promise<{ invitationId: string; code: string; expiresAt: number }>;
  revokeInvitation(accountId: string, familyId: string, invitationId: string): Promise<void>;
  /** Whether `code` can still be redeemed: valid → its expiry; unknown → 404; used or expired → 410. */
  checkInvitation(code: string): Promise<{ state: 'valid'; expiresAt: number }>;
  redeemInvitation(
    accountId: string,
    code: string,
  ): Promise<{ requestId: string; familyId: string; status: 'pending' }>;
  listJoinRequests(accountId: string, familyId: string): Promise<JoinRequestView[]>;
  decideJoinRequest(
    accountId: string,
    familyId: string,
    requestId: string,
    decision: 'approved' | 'declined',
  ): Promise<JoinRequestView>;
  listPendingDevices(accountId: string, familyId: string): Promise<PendingDevice[]>;
  blockAccount(accountId: string, familyId: string, target: string): Promise<{ deviceIds: string[] }>;
  unblockAccount(accountId: string, familyId: string, target: string): Promise<void>;
  listBlocks(
    accountId: string,
    familyId: string,
  ): Promise<{ accountId: string; email: string; createdAt: number }[]>;
}

export function createInvitations({ db, clock, emails }: { db: Db; clock: Clock; log: Logger; emails: AccountEmails }): Invitations {
  /** The invitation `code` names if it can still be redeemed; 404 unknown, 410 used or expired. */
  async function usableInvitation(code: string) {
    const normalized = normalizeInvitationCode(code);
    const unknown = () => notFound('invitation_unknown', 'That invitation code is not valid. Ask for a new one.');
    if (!normalized) throw unknown();
    const invitation = await db
      .selectFrom('invitations')
      .select(['id', 'family_id', 'expires_at', 'used_at'])
      .where('code_hash', '=', hashInvitationCode(normalized))
      .executeTakeFirst();
    if (!invitation) throw unknown();
    if (invitation.used_at !== null) throw refuse('gone', 'invitation_used', 'That invitation was already used. Ask for a new one.');
    if (invitation.expires_at <= clock.now()) throw refuse('gone', 'invitation_expired', 'That invitation has expired. Ask for a new one.');
    return invitation;
  }

  async function devicesOf(accountIds: string[]): Promise<Map<string, AccountDevice[]>> {
    const out = new Map<string, AccountDevice[]>();
    if (accountIds.length === 0) return out;
    const rows = await personDevicesOf(db, accountIds);
    for (const r of rows) {
      if (r.account_id === null) continue;
      const list = out.get(r.account_id) ?? [];
      list.push({
        deviceId: r.id,
        signPublicKey: r.sign_public_key,
        kemPublicKey: r.kem_public_key,
        createdAt: r.created_at,
      });
      out.set(r.account_id, list);
    }
    return out;
  }

  async function requestViews(familyId: string, requestId?: string): Promise<JoinRequestView[]> {
    let q = db
      .selectFrom('join_requests')
      .innerJoin('accounts', 'accounts.id', 'join_requests.account_id')
      .select([
        'join_requests.id',
        'join_requests.account_id',
        'join_requests.status',
        'join_requests.created_at',
      ])
      .where('join_requests.family_id', '=', familyId);
    q = requestId
      ? q.where('join_requests.id', '=', requestId)
      : q.where('join_requests.status', 'in', ['pending', 'approved']);
    const rows = await q.orderBy('join_requests.created_at').orderBy('join_requests.id').execute();
    const devices = await devicesOf(rows.map((r) => r.account_id));
    // Addresses are sealed at rest: opened through their owner (accounts/email-store.ts).
    const addresses = await emails.emailsOf(db, rows.map((r) => r.account_id));
    return rows.map((r) => ({
      requestId: r.id,
      accountId: r.account_id,
      email: addresses.get(r.account_id) ?? '',
      status: r.status,
      createdAt: r.created_at,
      devices: devices.get(r.account_id) ?? [],
    }));
  }

  return {
    async createInvitation(accountId, familyId, ttlMs) {
      await requireGuardian(db, familyId, accountId);
      const ttl = ttlMs ?? DEFAULT_INVITATION_TTL_MS;
      if (ttl > MAX_INVITATION_TTL_MS) throw badRequest('invitation_ttl_too_long', 'An invitation lasts at most 30 days.', { days: MAX_INVITATION_TTL_MS / (24 * 60 * 60 * 1000) });
      const code = newInvitationCode();
      const now = clock.now();
      const invitationId = newId();
      // Written with the family locked against its erasure: one that commits meanwhile is a 404,
      // not a foreign-key 500 (families/access.ts asGuardianOfExistingFamily).
      await asGuardianOfExistingFamily(db, familyId, accountId, (trx) =>
        insertInvitation(trx, {
          id: invitationId,
          familyId,
          codeHash: hashInvitationCode(normalizeInvitationCode(code)!),
          createdBy: accountId,
          createdAt: now,
          expiresAt: now + ttl,
        }),
      );
      return { invitationId, code, expiresAt: now + ttl };
    },

    async revokeInvitation(accountId, familyId, invitationId) {
      await requireGuardian(db, familyId, accountId);
      if (!(await deleteUnusedInvitation(db, familyId, invitationId))) throw notFound('invitation_not_found', 'No such unused invitation.');
    },

    async checkInvitation(code) {
      const invitation = await usableInvitation(code);
      return { state: 'valid', expiresAt: invitation.expires_at };
    },

    async redeemInvitation(accountId, code) {
      const invitation = await usableInvitation(code);
      const now = clock.now();
      const familyId = invitation.family_id;
      const blocked = await db
        .selectFrom('family_blocks')
        .select('account_id')
        .where('family_id', '=', familyId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (blocked) throw forbidden('blocked_by_family', 'A guardian of this family has blocked this account.');
      const member = await db
        .selectFrom('family_members')
        .select('role')
        .where('family_id', '=', familyId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (member) throw conflict('already_member', 'You are already a member of this family.');
      const open = await db
        .selectFrom('join_requests')
        .select('id')
        .where('family_id', '=', familyId)
        .where('account_id', '=', accountId)
        .where('status', 'in', ['pending', 'approved'])
        .executeTakeFirst();
      if (open) throw conflict('already_asked', 'You already asked to join this family; a guardian will decide.');
      const requestId = newId();
      await db.transaction().execute(async (trx) => {
        // The family kept from its erasure until this commits: one erased meanwhile is a 404 (its
        // invitation went with it), not a foreign-key 500 nor a "used" invitation.
        await lockFamilyOrNotFound(trx, familyId);
        // Single use even under concurrency: only one redeemer flips used_at.
        if (!(await markInvitationUsed(trx, invitation.id, now)))
          throw refuse('gone', 'invitation_used', 'That invitation was already used. Ask for a new one.');
        try {
          await insertJoinRequest(trx, { id: requestId, familyId, accountId, invitationId: invitation.id, createdAt: now });
        } catch (err) {
          // The family is held above and the invitation was just marked: the key that failed is the
          // account's, deleted since its session was read (erasure/account.ts). Sign in, not a 500.
          if (isForeignKeyViolation(err)) throw signInFirst();
          throw err;
        }
      });
      return { requestId, familyId, status: 'pending' as const };
    },

    async listJoinRequests(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      return requestViews(familyId);
    },

    async decideJoinRequest(accountId, familyId, requestId, decision) {
      await requireGuardian(db, familyId, accountId);
      if (!(await decideJoinRequest(db, familyId, requestId, decision, clock.now())))
        throw notFound('join_request_not_found', 'No such pending join request.');
      const [view] = await requestViews(familyId, requestId);
      if (!view) throw notFound('join_request_not_found', 'No such pending join request.');
      return view;
    },

    async listPendingDevices(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      const current = await currentRoster(db, familyId);
      const listed = new Set<string>(current?.roster.devices.map((d) => d.id) ?? []);
      const members = await db
        .selectFrom('family_members')
        .innerJoin('accounts', 'accounts.id', 'family_members.account_id')
        .select(['accounts.id'])
        .where('family_members.family_id', '=', familyId)
        .execute();
      const approved = await db
        .selectFrom('join_requests')
        .innerJoin('accounts', 'accounts.id', 'join_requests.account_id')
        .select(['accounts.id'])
        .where('join_requests.family_id', '=', familyId)
        .where('join_requests.status', '=', 'approved')
        .execute();
      const addresses = await emails.emailsOf(db, [...members, ...approved].map((r) => r.id));
      const devices = await devicesOf([...addresses.keys()]);
      const out: PendingDevice[] = [];
      for (const [owner, list] of devices) {
        for (const d of list) {
          if (!listed.has(d.deviceId)) out.push({ ...d, accountId: owner, email: addresses.get(owner) ?? '' });
        }
      }
      return out.sort((a, b) => a.createdAt - b.createdAt || a.deviceId.localeCompare(b.deviceId));
    },

    async blockAccount(accountId, familyId, target) {
      await requireGuardian(db, familyId, accountId);
      if (target === accountId) throw badRequest('cannot_block_self', 'You cannot block yourself.');
      const known = await db
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', target)
        .where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('family_members')
                .select('account_id')
                .where('family_id', '=', familyId)
                .whereRef('account_id', '=', 'accounts.id'),
            ),
            eb.exists(
              eb
                .selectFrom('join_requests')
                .select('account_id')
                .where('family_id', '=', familyId)
                .whereRef('account_id', '=', 'accounts.id'),
            ),
          ]),
        )
        .executeTakeFirst();
      // Only people who are or asked to be in the family can be blocked (no probing of account ids).
      if (!known) throw notFound('member_not_found', 'No such member or request in this family.');
      const now = clock.now();
      // With the family locked against its erasure (a 404 then, not a foreign-key 500).
      await asGuardianOfExistingFamily(db, familyId, accountId, async (trx) => {
        await insertBlock(trx, familyId, target, now);
        // Access ends now: the server refuses their requests and sends before the new roster lands.
        await removeMember(trx, familyId, target);
      });
      const current = await currentRoster(db, familyId);
      const theirs = (await devicesOf([target])).get(target) ?? [];
      const listed = new Set<string>(current?.roster.devices.map((d) => d.id) ?? []);
      return { deviceIds: theirs.map((d) => d.deviceId).filter((id) => listed.has(id)) };
    },

    async unblockAccount(accountId, familyId, target) {
      await requireGuardian(db, familyId, accountId);
      if (!(await deleteBlock(db, familyId, target))) throw notFound('not_blocked', 'That account is not blocked.');
    },

    async listBlocks(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      const rows = await db
        .selectFrom('family_blocks')
        .innerJoin('accounts', 'accounts.id', 'family_blocks.account_id')
        .select(['accounts.id', 'family_blocks.created_at'])
        .where('family_blocks.family_id', '=', familyId)
        .orderBy('family_blocks.created_at')
        .execute();
      const addresses = await emails.emailsOf(db, rows.map((r) => r.id));
      return rows.map((r) => ({ accountId: r.id, email: addresses.get(r.id) ?? '', createdAt: r.created_at }));
    },
  };
}
