/**
 * The anomaly detectors (issue 6, item 3). Each looks at answered requests (an onResponse hook, so
 * the request itself is not slowed) and counts events per source in a sliding window:
 *
 * (a) cross-family — a signed-in account or toy refused (403/404) on a family, message or device
 *     it does not belong to (checked against the database only for refused requests);
 * (b) failed sign-ins — per address and across the service;
 * (c) read volume — one session or toy fetching more distinct blobs than its own families hold;
 * (d) revoked credential — an unknown toy token, a session token an incident revoked presented
 *     from another address, a device id no longer registered, a device dropped from the roster.
 *
 * At `alertAt` events the operator is alerted (alertOperator: log, mail, metric) and the source is
 * answered 429 with Retry-After for `blockMs`; at `incidentAt` an incident is opened whose scope
 * is what the source reached according to the audit trail (incidents/service.ts, accessed-by:…).
 *
 * The windows (fixed, from a key's first event) and the blocks live in a LimitStore: with
 * BURROW_REDIS_URL every node counts into the same window and sees the same blocks, so five failed
 * sign-ins spread over five nodes are five, and a source blocked on one node is refused on all.
 * Per process still: the read-volume detector's distinct-blob sets, its per-source blob counts, and
 * which incidents this node opened in the last day.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { fadeIp } from '../accounts/index.js';
import { DEVICE_HEADER, hashToken } from '../auth/index.js';
import { presentedToken, requestFacts, sessionRefOf, type RequestFacts } from '../audit/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import type { AlertOperator, AlertSeverity } from '../alerts/index.js';
import { createMemoryLimitStore, type LimitStore } from '../limits/index.js';
import type { AnomalyConfig, AnomalyRule } from './config.js';
import { DistinctCounter } from './windows.js';

export type AnomalyKind = 'cross-family-access' | 'failed-sign-in-spike' | 'failed-sign-in-spike-global' | 'read-volume' | 'revoked-credential';

/** Opens an incident (incidents/service.ts open) and returns its id. */
export type OpenIncident = (input: { summary: string; scope: string; occurredFrom: number }) => Promise<string>;

export interface AnomalyPorts {
  db: Db;
  clock: Clock;
  log: Logger;
  config: AnomalyConfig;
  alertOperator: AlertOperator;
  openIncident: OpenIncident;
  /** Where windows and blocks are counted: shared by the nodes (Redis) or, absent, this process. */
  limits?: LimitStore;
}

/** Operations an address block applies to: the unauthenticated ones a guesser uses. */
const SIGN_IN_OPERATIONS = new Set(['logIn', 'signUp', 'requestPasswordReset', 'resetPassword', 'verifyEmail']);
const INCIDENT_REPEAT_MS = 24 * 60 * 60 * 1000;

/** What a block or an incident is about: `session:<ref>`, `device:<id>`, `ip:<addr>` or `global`. */
type Source = string;

function sourceOf(f: RequestFacts): Source {
  if (f.sessionRef !== null) return `session:${f.sessionRef}`;
  if (f.deviceId !== null) return `device:${f.deviceId}`;
  return `ip:${f.ip}`;
}

const KINDS = new Set<string>(['cross-family-access', 'failed-sign-in-spike', 'failed-sign-in-spike-global', 'read-volume', 'revoked-credential']);
const isKind = (reason: string): reason is AnomalyKind => KINDS.has(reason);
/** LimitStore keys: one window per detector and source, one block per source. */
const windowKey = (kind: AnomalyKind, source: Source): string => `anomaly:${kind}:${source}`;
const blockKey = (source: Source): string => `anomaly-block:${source}`;

function scopeOf(source: Source): string {
  return source === 'global' ? 'all' : `accessed-by:${source}`;
}

export function createAnomalyDetectors({ db, clock, log, config, alertOperator, openIncident, limits = createMemoryLimitStore(clock) }: AnomalyPorts) {
  const distinct = new DistinctCounter();
  const refusedByBlock = new WeakSet<FastifyRequest>();
  const incidentsOpened = new Map<string, number>();
  const ownBlobs = new Map<string, { count: number; at: number }>();
  const metrics = { events: new Map<string, number>(), alerts: new Map<string, number>(), incidents: new Map<string, number>(), blocked: 0 };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const rv = config.readVolume;
  const rules: Record<AnomalyKind, AnomalyRule> = {
    'cross-family-access': config.crossFamily,
    'failed-sign-in-spike': config.failedSignInsPerIp,
    'failed-sign-in-spike-global': config.failedSignInsGlobal,
    // Each distinct read past the limit is one event: the first alerts and blocks.
    'read-volume': { alertAt: 1, incidentAt: rv.incidentAt, windowMs: rv.windowMs, blockMs: rv.blockMs },
    'revoked-credential': config.revokedCredential,
  };

  const severity: Record<AnomalyKind, AlertSeverity> = {
    'cross-family-access': 'high',
    'failed-sign-in-spike': 'medium',
    'failed-sign-in-spike-global': 'high',
    'read-volume': 'high',
    'revoked-credential': 'high',
  };

  /** Counts one event of `kind` from `source`; alerts and blocks at alertAt, opens an incident at incidentAt. */
  async function hit(kind: AnomalyKind, source: Source, details: Record<string, string | number | null> = {}): Promise<void> {
    const rule = rules[kind];
    const now = clock.now();
    const counted = await limits.hit(windowKey(kind, source), rule.windowMs);
    // The window opened at its first event: that is when the incident's period starts.
    const n = { count: counted.count, first: now - (rule.windowMs - counted.resetInMs) };
    bump(metrics.events, kind);
    const minutes = Math.round(rule.windowMs / 60_000);
    if (n.count === rule.alertAt) {
      bump(metrics.alerts, kind);
      if (rule.blockMs > 0) await blockAtLeast(source, rule.blockMs, kind);
      await alertOperator({
        kind,
        severity: severity[kind],
        subject: source,
        summary: `${kind}: ${String(n.count)} event(s) from ${source} within ${String(minutes)} min${rule.blockMs > 0 ? `; blocked for ${String(Math.round(rule.blockMs / 60_000))} min` : ''}.`,
        details: { source, count: n.count, windowMinutes: minutes, ...details },
      });
    }
    const key = `${kind}\0${source}`;
    const opened = incidentsOpened.get(key);
    if (n.count >= rule.incidentAt && (opened === undefined || now - opened >= INCIDENT_REPEAT_MS)) {
      incidentsOpened.set(key, now);
      bump(metrics.incidents, kind);
      const summary = `Opened automatically by Burrow's anomaly detection: ${kind}, ${String(n.count)} events from ${source} within ${String(minutes)} minutes. Review the audit trail before notifying anyone.`;
      const id = await openIncident({ summary, scope: scopeOf(source), occurredFrom: n.first });
      await alertOperator({
        kind: `${kind}-incident`,
        severity: 'critical',
        subject: source,
        summary: `Incident ${id} opened automatically: ${kind} from ${source} (${String(n.count)} events).`,
        details: { incident: id, source, count: n.count, ...details },
      });
    }
  }

  /** Blocks `source` for `ms` unless a longer block is already in place (which then stands). */
  async function blockAtLeast(source: Source, ms: number, kind: AnomalyKind): Promise<void> {
    const current = await limits.blocked(blockKey(source));
    if (current === null || current.ms < ms) await limits.block(blockKey(source), ms, kind);
  }

  async function isMember(familyId: string, accountId: string): Promise<boolean> {
    const row = await db.selectFrom('family_members').select('role').where('family_id', '=', familyId).where('account_id', '=', accountId).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * A former member (removed since) whose app still asks for the family is not probing: the audit
   * trail shows it once reached that family.
   */
  async function wasMember(familyId: string, accountId: string): Promise<boolean> {
    const row = await db
      .selectFrom('audit_events')
      .select('id')
      .where('account_id', '=', accountId)
      .where('family_id', '=', familyId)
      .where('status', '<', 400)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function inCurrentRoster(familyId: string, deviceId: string): Promise<boolean> {
    const row = await db.selectFrom('rosters').select('roster').where('family_id', '=', familyId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) return false;
    const roster = JSON.parse(row.roster) as { devices?: { id?: unknown }[] };
    return (roster.devices ?? []).some((d) => d.id === deviceId);
  }

  /** Blobs held by the families a source belongs to, cached for a few minutes. */
  async function blobsOwnedBy(f: RequestFacts, source: Source): Promise<number> {
    const cached = ownBlobs.get(source);
    const now = clock.now();
    if (cached && now - cached.at < 5 * 60_000) return cached.count;
    let q = db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('blob_hash', 'is not', null);
    if (f.accountId !== null)
      q = q.where('family_id', 'in', db.selectFrom('family_members').select('family_id').where('account_id', '=', f.accountId));
    else if (f.familyId !== null) q = q.where('family_id', '=', f.familyId);
    else return 0;
    const count = Number((await q.executeTakeFirst())?.n ?? 0);
    ownBlobs.set(source, { count, at: now });
    return count;
  }

  /** (a) and (d) for a request refused by the auth hook's device check (no principal was set). */
  async function refusedDevice(request: FastifyRequest, f: RequestFacts): Promise<void> {
    const header = request.headers[DEVICE_HEADER];
    const deviceId = typeof header === 'string' ? header : null;
    const token = presentedToken(request);
    if (deviceId === null || token?.kind !== 'session') return;
    const session = await db.selectFrom('sessions').select('account_id').where('token_hash', '=', token.hash).executeTakeFirst();
    if (!session) return;
    const source = `session:${sessionRefOf(token.hash)}`;
    const device = await deviceById(db, deviceId);
    if (device) await hit('cross-family-access', source, { what: 'another account’s device', device: deviceId, ip: f.ip });
    else await hit('revoked-credential', source, { what: 'unregistered device id', device: deviceId, ip: f.ip });
  }

  async function refused(request: FastifyRequest, f: RequestFacts): Promise<void> {
    const p = request.principal;
    if (p === null) {
      if (f.status === 403) await refusedDevice(request, f);
      return;
    }
    const source = sourceOf(f);
    const params = (request.params ?? {}) as Record<string, unknown>;
    const paramFamily = typeof params.familyId === 'string' ? params.familyId : null;
    if (p.kind === 'toy') {
      if (paramFamily !== null && paramFamily !== p.familyId) await hit('cross-family-access', source, { family: paramFamily, ip: f.ip });
      return;
    }
    if (paramFamily !== null) {
      if (!(await isMember(paramFamily, p.accountId))) {
        if (!(await wasMember(paramFamily, p.accountId)))
          await hit('cross-family-access', source, { family: paramFamily, account: p.accountId, ip: f.ip });
      } else if (f.status === 403 && p.deviceId !== null && !(await inCurrentRoster(paramFamily, p.deviceId)))
        await hit('revoked-credential', source, { what: 'device removed from the roster', device: p.deviceId, family: paramFamily, ip: f.ip });
      return;
    }
    if (typeof params.messageId === 'string' && f.status === 404) {
      const message = await db.selectFrom('messages').select('family_id').where('id', '=', params.messageId).executeTakeFirst();
      if (message && !(await isMember(message.family_id, p.accountId)) && !(await wasMember(message.family_id, p.accountId)))
        await hit('cross-family-access', source, { family: message.family_id, message: params.messageId, account: p.accountId, ip: f.ip });
    }
  }

  async function unauthenticated(request: FastifyRequest, f: RequestFacts): Promise<void> {
    const token = presentedToken(request);
    if (token === null) return;
    if (token.kind === 'toy') {
      await hit('revoked-credential', `ip:${f.ip}`, { what: 'unknown or revoked toy token', ip: f.ip });
      return;
    }
    const revoked = await db
      .selectFrom('revoked_credentials')
      .select(['account_id', 'reason', 'last_ip'])
      .where('token_hash', '=', token.hash)
      .executeTakeFirst();
    // The owner's own browser still holding the cookie is not news; the same token from elsewhere is.
    // After IP_KEEP_DAYS the stored address is faded to its network: compare networks then.
    if (!revoked || revoked.last_ip === f.ip || (revoked.last_ip?.includes('/') === true && revoked.last_ip === fadeIp(f.ip))) return;
    await hit('revoked-credential', `session:${sessionRefOf(token.hash)}`, {
      what: 'session token revoked by an incident',
      account: revoked.account_id,
      reason: revoked.reason,
      ip: f.ip,
    });
  }

  async function observe(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (refusedByBlock.has(request)) return;
    const f = requestFacts(request, reply);
    const now = clock.now();
    if (f.operationId === 'logIn' && (f.status === 401 || f.status === 429)) {
      await hit('failed-sign-in-spike', `ip:${f.ip}`, { ip: f.ip });
      await hit('failed-sign-in-spike-global', 'global');
    } else if (f.status === 401) await unauthenticated(request, f);
    else if (f.status === 403 || f.status === 404) await refused(request, f);
    if (f.operationId === 'downloadMessageBlob' && f.resource !== null && (f.sessionRef !== null || f.deviceId !== null)) {
      const source = sourceOf(f);
      const n = distinct.add(source, f.resource, now, rv.windowMs);
      if (n.count > rv.minDistinct) {
        const limit = Math.max(rv.minDistinct, rv.factor * (await blobsOwnedBy(f, source)));
        if (n.count > limit) await hit('read-volume', source, { distinctBlobs: n.count, limit, ip: f.ip });
      }
    }
  }

  /**
   * The Retry-After seconds for a request from a blocked source, or 0. A refused attempt counts as
   * one more event of the kind that blocked the source: persisting while blocked leads to an incident.
   */
  async function blockedSeconds(request: FastifyRequest, operationId: string | null): Promise<number> {
    const p = request.principal;
    let source: Source | null = null;
    if (p?.kind === 'account') source = `session:${sessionRefOf(p.sessionHash)}`;
    else if (p?.kind === 'toy') source = `device:${p.toyId}`;
    let b = source === null ? null : await limits.blocked(blockKey(source));
    if (b === null && operationId !== null && SIGN_IN_OPERATIONS.has(operationId)) {
      source = `ip:${request.ip}`;
      b = await limits.blocked(blockKey(source));
    }
    if (b === null || source === null) return 0;
    metrics.blocked++;
    refusedByBlock.add(request);
    const blockedSource = source;
    const reason = b.reason;
    if (isKind(reason))
      void hit(reason, blockedSource, { blockedAttempt: 1 }).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'anomaly detection failed');
      });
    return Math.max(1, Math.ceil(b.ms / 1000));
  }

  return {
    observe(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      return observe(request, reply).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'anomaly detection failed');
      });
    },
    /** Seconds the request's source stays blocked (0: not blocked). Never rejects: a failed lookup lets the request through. */
    blockedSeconds(request: FastifyRequest, operationId: string | null): Promise<number> {
      return blockedSeconds(request, operationId).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'anomaly block check failed');
        return 0;
      });
    },
    /** For tests: the session source key of a token. */
    sessionSource: (token: string) => `session:${sessionRefOf(hashToken(token))}`,
    prometheus(): string {
      const lines: string[] = [];
      const family = (name: string, help: string, m: Map<string, number>) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [k, v] of [...m].sort()) lines.push(`${name}{kind="${k}"} ${String(v)}`);
      };
      family('burrow_anomaly_events_total', 'Anomalous events seen, by detector.', metrics.events);
      family('burrow_anomaly_alerts_total', 'Anomaly alerts raised (and sources blocked), by detector.', metrics.alerts);
      family('burrow_anomaly_incidents_total', 'Incidents opened automatically, by detector.', metrics.incidents);
      lines.push('# HELP burrow_anomaly_blocked_requests_total Requests answered 429 because their source was blocked.', '# TYPE burrow_anomaly_blocked_requests_total counter');
      lines.push(`burrow_anomaly_blocked_requests_total ${String(metrics.blocked)}`);
      return `${lines.join('\n')}\n`;
    },
  };
}

export type AnomalyDetectors = ReturnType<typeof createAnomalyDetectors>;
