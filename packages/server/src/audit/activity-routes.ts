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
import { listActivity } from './activity-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KNOWN = new Set<string>(ACTIVITY_KINDS);

function parseKinds(list: string | undefined): ActivityKind[] | undefined {
  if (list === undefined) return undefined;
  const kinds = list.split(',');
  const unknown = kinds.find((k) => !KNOWN.has(k));
  if (unknown !== undefined) throw badRequest(`Unknown activity kind '${unknown}'; known: ${ACTIVITY_KINDS.join(', ')}.`);
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
      return {
        events: rows.map((r) => ({
          seq: r.seq,
          at: r.at,
          kind: r.kind as ActivityKind,
          accountId: r.account_id,
          deviceId: r.device_id,
          toyId: r.toy_id,
          subject: r.subject,
        })),
        keptDays: ACTIVITY_DAYS,
        nextBefore: rows.length === limit ? (rows[rows.length - 1]?.seq ?? null) : null,
      };
    },
  );
}
