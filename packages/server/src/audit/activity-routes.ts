/**
 * GET /v1/families/:familyId/activity — the family's activity log, for its guardians only (docs/api.md
 * "Activity log"): newest first, the last ACTIVITY_DAYS days, filterable by kind, account, toy and time.
 */
import { ACTIVITY_DAYS, ACTIVITY_KINDS, ActivityQuery, ActivityResponse, FamilyParams, errorResponses, type ActivityKind } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest } from '../errors/index.js';
import { requireGuardian } from '../families/access.js';
import type { App, RouteContext } from '../http/types.js';
import { ACCOUNT_SUBJECT_KINDS, pseudonymMap } from './activity-pseudonym.js';
import { listActivity } from './activity-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KNOWN = new Set<string>(ACTIVITY_KINDS);

function parseKinds(list: string | undefined): ActivityKind[] | undefined {
  if (list === undefined) return undefined;
  const kinds = list.split(',');
  const unknown = kinds.find((k) => !KNOWN.has(k));
  if (unknown !== undefined) throw badRequest('activity_kind_unknown', `Unknown activity kind '${unknown}'; known: ${ACTIVITY_KINDS.join(', ')}.`, { kind: unknown });
  return kinds as ActivityKind[];
}

export function activityRoutes(app: App, { db, clock }: RouteContext & { db: Db; clock: Clock }): void {
  app.get(
    '/v1/families/:familyId/activity',
    {
      schema: {
        operationId: 'listActivity',
        tags: ['families'],
        params: FamilyParams,
        querystring: ActivityQuery,
        response: { 200: ActivityResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => {
      const q = request.query;
      const kinds = parseKinds(q.kind);
      await requireGuardian(db, request.params.familyId, accountOf(request).accountId);
      const limit = q.limit ?? 50;
      // Events past the period may wait for the next daily prune: never show them.
      const since = Math.max(q.since ?? 0, clock.now() - ACTIVITY_DAYS * DAY_MS);
      const rows = await listActivity(db, request.params.familyId, {
        ...(kinds ? { kinds } : {}),
        ...(q.accountId !== undefined ? { accountId: q.accountId } : {}),
        ...(q.toyId !== undefined ? { toyId: q.toyId } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        since,
        limit,
      });
      // Pseudonyms back to the accounts this family still knows; a deleted account's stay null.
      const familyId = request.params.familyId;
      const known = await db
        .selectFrom('family_members')
        .select('account_id')
        .where('family_id', '=', familyId)
        .union(db.selectFrom('join_requests').select('account_id').where('family_id', '=', familyId))
        .union(db.selectFrom('family_blocks').select('account_id').where('family_id', '=', familyId))
        .execute();
      const accounts = pseudonymMap(familyId, known.map((k) => k.account_id));
      const named = (ref: string | null) => (ref === null ? null : (accounts.get(ref) ?? null));
      return {
        events: rows.map((r) => ({
          seq: r.seq,
          at: r.at,
          kind: r.kind as ActivityKind,
          accountId: named(r.account_id),
          deviceId: r.device_id,
          toyId: r.toy_id,
          subject: ACCOUNT_SUBJECT_KINDS.has(r.kind) ? named(r.subject) : r.subject,
        })),
        keptDays: ACTIVITY_DAYS,
        nextBefore: rows.length === limit ? (rows[rows.length - 1]?.seq ?? null) : null,
      };
    },
  );
}
