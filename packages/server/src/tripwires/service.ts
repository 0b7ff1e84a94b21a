/**
 * Builds the tripwires once per app and hooks them in where they must watch, without the watched
 * code knowing:
 *
 * - `wrapHasher`: the accounts' PasswordHasher becomes a honeyword hasher (honeywords.ts).
 * - `wrapMailer`: mail addressed to a canary account is never sent (a password reset requested for a
 *   canary means someone holds the account list) and raises an alert instead.
 * - `wrapBlobs`: reading a canary blob through the storage port fires.
 * - `register(app)`: any request whose route parameters name a canary (family, device, message,
 *   account) fires, signed in or not, before the route's own checks.
 *
 * An alert names the client address of the request that set it off. The address is handed along
 * explicitly by the few calls that can fire inside a request: the password check's third argument
 * (sign-in, password change, the two-step settings), the mail's `clientIp` (password reset, sign-up
 * with a taken address), the blob read's second argument (message and review downloads), and the
 * request itself for route parameters. It is not kept in an AsyncLocalStorage: entering a store per
 * request switches on Node's promise hooks, which cost every awaited promise of every request about
 * 80 ns — some 6 % of a durable message's CPU (docs/performance.md). A fire outside a request (a
 * background job reading a blob, a sweep's mail) names no address (`ip: null`).
 *
 * A tripwire that proves the data left (a canary's or a decoy's password used, a canary record
 * named) opens an incident with scope `all` — at most one per kind a day — and alerts the operator
 * (critical). A sign-in attempt on a canary with a wrong password, and mail to a canary, alert only
 * (medium): the account list may have leaked but the hashes are not shown to be cracked.
 */
import type { Logger } from 'pino';
import { canonicalEmail, type AccountEmails, type PasswordHasher, type Pepper } from '../accounts/index.js';
import type { Blobs } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { CoreConfig } from '../config.js';
import type { Db } from '../db/index.js';
import {
  connectHoneychecker,
  openHoneychecker,
  resolveHoneycheckerSecret,
  type CanaryKind,
  type Honeychecker,
} from '../honeychecker/index.js';
import type { App } from '../http/types.js';
import { onceRetryingClaim, type Leases, type RetriedClaim } from '../leases/index.js';
import { createIncidents } from '../incidents/index.js';
import type { Mailer } from '../mail/index.js';
import type { AlertSeverity } from '../alerts/index.js';
import type { OperatorAlerts } from './alert.js';
import { canaryDomains, honeycheckerDirOf, type TripwiresConfig } from './config.js';
import { createHoneywordHasher, type HoneywordHasher, type SweetwordEvent } from './honeywords.js';
import { accountIdByPasswordHash } from './owner.js';
import { plantCanaries, type Planted } from './plant.js';

const DAY = 24 * 60 * 60 * 1000;
/** The start-up planting's lease: nodes started within 10 minutes of one another plant once. */
const PLANT_JOB = 'plant-canaries';
const PLANT_GAP_MS = 10 * 60 * 1000;

export const TRIPWIRE_SUMMARIES = {
  'canary-password':
    'Tripwire: a sign-in used the password of a canary account, an account no person uses whose password exists nowhere but as a hash in our database. The password hashes were very likely stolen and cracked.',
  'honeyword-login':
    "Tripwire: a sign-in used a honeyword, one of the decoy passwords stored beside an account's real one. Only someone holding the password hashes could know it: the hashes were very likely stolen and cracked.",
  'canary-read':
    'Tripwire: a request named a canary record (a family, device, message or blob that no real person or toy knows). The contents of the database or of the blob store have very likely been read by an outsider.',
} as const;

type IncidentKind = keyof typeof TRIPWIRE_SUMMARIES;

export interface TripwiresPorts {
  /** The core settings and the tripwires' own section. */
  config: CoreConfig & { readonly tripwires: TripwiresConfig };
  db: Db;
  clock: Clock;
  log: Logger;
  /** The app's mailer, unwrapped: incident bookkeeping uses it directly. */
  mailer: Mailer;
  /** The app's operator alerts (made once in app.ts; the alerts port's implementation, alert.ts). */
  alerts: OperatorAlerts;
  /** Account addresses, sealed at rest (accounts/email-store.ts): canary planting and the canary-mail check. */
  emails: AccountEmails;
}

export interface Tripwires {
  readonly alerts: OperatorAlerts;
  readonly honeychecker: Honeychecker;
  /** The honeyword hasher, once the accounts module asked for it (wrapHasher). */
  readonly hasher: HoneywordHasher | null;
  wrapHasher: (inner: PasswordHasher, pepper: Pepper) => PasswordHasher;
  wrapMailer(mailer: Mailer): Mailer;
  wrapBlobs(blobs: Blobs): Blobs;
  /** The request hook (canary parameters), background planting, and closing on app close. */
  /**
   * `leases`: with several nodes, the start-up planting is claimed so one node plants; a claim that
   * fails is tried again after `claimRetryMs` (default CLAIM_RETRY_FIRST_MS, 30 s; tests shorten it),
   * doubling.
   */
  register(app: App, ports: { blobs: Blobs; leases?: Leases; claimRetryMs?: number }): void;
  /** Resolves with what the start-up planting planted (after register). */
  readonly planted: Promise<Planted>;
  /** Resolves once every tripwire fired so far has finished (its incident and mail): for tests. */
  settled(): Promise<void>;
  isCanaryAccount(accountId: string): boolean;
}

const PARAM_KINDS: Record<string, CanaryKind[]> = {
  familyId: ['family'],
  messageId: ['message'],
  deviceId: ['device'],
  toyId: ['device'],
  accountId: ['account'],
};

/**
 * With BURROW_HONEYCHECKER_URL the honeychecker service (several nodes share it; this node holds
 * neither its store nor its secret), else the local store beside the data folder.
 */
function openTheHoneychecker(config: TripwiresPorts['config'], log: Logger): Honeychecker {
  const { honeycheckerUrl: url, honeycheckerToken: token } = config.tripwires;
  if (url !== null && token !== null) return connectHoneychecker({ url, token, log });
  const dir = honeycheckerDirOf(config);
  const secret = resolveHoneycheckerSecret({
    dir,
    configured: config.tripwires.honeycheckerSecret,
    production: config.production,
    log,
  });
  return openHoneychecker({ dir, secret });
}

export function createTripwires({
  config,
  db,
  clock,
  log,
  mailer,
  alerts,
  emails,
}: TripwiresPorts): Tripwires {
  const honeychecker = openTheHoneychecker(config, log);
  const incidents = createIncidents({
    db,
    mailer,
    clock,
    contact: config.accountSecurity.publicUrl ?? config.accountSecurity.mailFrom,
    emails,
    isCanaryAccount: (id) => honeychecker.isCanary('account', id),
  });
  const pending = new Set<Promise<unknown>>();
  let hasher: HoneywordHasher | null = null;
  let plantedPromise: Promise<Planted> | null = null;
  let settlePlanted: (p: Promise<Planted>) => void = () => undefined;
  // Settled by register(), which starts the planting; a Tripwires never registered plants nothing.
  const planted = new Promise<Planted>((resolve, reject) => {
    settlePlanted = (p) => {
      p.then(resolve, reject);
    };
  });
  // A failed planting is logged where it runs; whoever awaits `planted` still sees the error.
  planted.catch(() => undefined);

  /** Opens the kind's incident unless one was opened in the last day (repeats are the same breach). */
  async function openIncident(kind: IncidentKind): Promise<string> {
    const summary = TRIPWIRE_SUMMARIES[kind];
    const recent = await db
      .selectFrom('incidents')
      .select('id')
      .where('summary', '=', summary)
      .where('opened_at', '>', clock.now() - DAY)
      .executeTakeFirst();
    if (recent) return recent.id;
    return (await incidents.open({ summary, scope: 'all' })).id;
  }

  function fire(input: {
    kind: string;
    severity: AlertSeverity;
    summary: string;
    subject: string;
    details: Record<string, string | number | boolean | null>;
    incident?: IncidentKind;
    /** The client address of the request that set it off; null outside a request. */
    ip: string | null;
  }): void {
    const { ip } = input;
    const job = (async () => {
      let incidentId: string | null = null;
      if (input.incident) {
        try {
          incidentId = await openIncident(input.incident);
        } catch (err) {
          log.error({ err: { message: (err as Error).message } }, 'tripwire: opening the incident failed');
        }
      }
      await alerts.alertOperator({
        kind: input.kind,
        severity: input.severity,
        summary: input.summary,
        subject: input.subject,
        details: {
          ...input.details,
          ip,
          incident: incidentId,
          next: incidentId ? `burrow incident status ${incidentId}` : null,
        },
      });
    })().catch((err: unknown) => {
      log.error({ err: { message: (err as Error).message } }, 'tripwire failed');
    });
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  /**
   * The account a sweetword event is about: by its id when the sign-in said whose password it checked
   * (the primary key), else by the hash itself through an index of its salt (owner.ts), for callers
   * that do not know the account.
   */
  async function accountOf(event: SweetwordEvent): Promise<{ id: string; email: string } | undefined> {
    const id = event.accountId ?? (await accountIdByPasswordHash(db, event.passwordHash));
    if (id === undefined) return undefined;
    const email = await emails.emailOf(db, id);
    return email === undefined ? undefined : { id, email };
  }

  function onSweetword(event: SweetwordEvent): void {
    const job = (async () => {
      const account = await accountOf(event);
      const accountId = account?.id ?? 'unknown';
      const details = { accountId };
      const { ip } = event;
      if (event.kind === 'decoy')
        fire({
          kind: 'honeyword-login',
          severity: 'critical',
          summary:
            'A sign-in used a decoy password (honeyword): the password hashes were stolen and cracked.',
          subject: 'honeyword',
          details,
          incident: 'honeyword-login',
          ip,
        });
      else if (event.kind === 'canary-password')
        fire({
          kind: 'canary-login',
          severity: 'critical',
          summary: "A sign-in used a canary account's password: the password hashes were stolen and cracked.",
          subject: 'canary-password',
          details,
          incident: 'canary-password',
          ip,
        });
      else if (event.kind === 'canary-attempt')
        fire({
          kind: 'canary-sign-in-attempt',
          severity: 'medium',
          summary:
            'A sign-in was tried on a canary account (wrong password): someone holds the list of accounts.',
          subject: accountId,
          details,
          ip,
        });
      else
        fire({
          kind: 'honeychecker-unknown-set',
          severity: 'medium',
          summary:
            "The honeychecker had no record of an account's sweetword set; the sign-in was accepted and the set re-made. Was the honeychecker store lost or replaced?",
          subject: accountId,
          details,
          ip,
        });
    })();
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  const canaryEmails = new Set<string>();
  async function loadCanaryEmails(): Promise<void> {
    const ids = honeychecker.canaries('account').map((c) => c.id);
    if (ids.length === 0) return;
    for (const email of (await emails.emailsOf(db, ids)).values()) canaryEmails.add(email);
  }

  function canaryRead(kind: CanaryKind, id: string, via: string, ip: string | null): void {
    fire({
      kind: 'canary-read',
      severity: 'critical',
      summary: `A ${via} named a canary ${kind}: the database or blob store contents were read by an outsider.`,
      subject: `${kind}:${id}`,
      details: { canaryKind: kind, canaryId: id, via },
      incident: 'canary-read',
      ip,
    });
  }

  const tripwires: Tripwires = {
    alerts,
    honeychecker,
    get hasher() {
      return hasher;
    },
    planted,

    wrapHasher(inner, pepper) {
      hasher = createHoneywordHasher({
        inner,
        pepper,
        honeychecker,
        k: config.tripwires.honeywords,
        onEvent: onSweetword,
      });
      return hasher;
    },

    wrapMailer(inner) {
      return {
        async send(mail) {
          if (!canaryEmails.has(canonicalEmail(mail.to))) return inner.send(mail);
          const account = await emails.findByEmail(db, canonicalEmail(mail.to));
          fire({
            kind: 'canary-mail',
            severity: 'medium',
            summary:
              'Burrow was asked to mail a canary account (a password reset or similar): someone holds the list of accounts.',
            subject: account?.id ?? 'canary',
            details: { accountId: account?.id ?? null, mailSubject: mail.subject },
            ip: mail.clientIp ?? null,
          });
        },
      };
    },

    wrapBlobs(inner) {
      return {
        put: (key, bytes) => inner.put(key, bytes),
        has: (key) => inner.has(key),
        delete: (key) => inner.delete(key),
        get(key, from) {
          if (honeychecker.isCanary('blob', key)) canaryRead('blob', key, 'blob read', from?.ip ?? null);
          return inner.get(key);
        },
      };
    },

    register(app, { blobs, leases, claimRetryMs }) {
      // Before authentication and before the route's own checks: those still refuse a stranger
      // (401, 403, 404), but a stranger knowing a canary's id at all is the news.
      app.addHook('onRequest', async (request) => {
        const params = request.params as Record<string, unknown> | null;
        if (!params || typeof params !== 'object') return;
        for (const [name, value] of Object.entries(params)) {
          const kinds = PARAM_KINDS[name];
          if (!kinds || typeof value !== 'string') continue;
          for (const kind of kinds)
            if (honeychecker.isCanary(kind, value))
              canaryRead(kind, value, `request (${request.method} ${request.routeOptions.url ?? ''})`, request.ip);
        }
        await Promise.resolve();
      });
      let closing = false;
      let claim: RetriedClaim<Planted> | null = null;
      plantedPromise = (async () => {
        // A remote honeychecker's canary list must be loaded before planting counts what exists.
        await honeychecker.ready();
        await loadCanaryEmails();
        if (!hasher) return { accounts: [], family: null };
        const h = hasher;
        const plant = (): Promise<Planted> => plantCanaries({
          db,
          emails,
          clock,
          log,
          hasher: h,
          honeychecker,
          blobs,
          canaryAccounts: config.tripwires.canaryAccounts,
          domains: canaryDomains(config),
        });
        // Nodes starting together would each plant what they found missing: one claims it. A claim
        // the database does not answer (PostgreSQL away at start) is tried again after 30 s,
        // doubling up to 30 min, rather than leaving the canaries unplanted until the next start.
        if (closing) return { accounts: [], family: null };
        if (leases)
          claim = onceRetryingClaim(leases, PLANT_JOB, PLANT_GAP_MS, plant, {
            ...(claimRetryMs === undefined ? {} : { retryMs: claimRetryMs }),
            onClaimFailed: (err, retryInMs) => {
              log.error({ err: { message: (err as Error).message }, retryInMs }, 'tripwires: claiming the canary planting failed; trying again');
            },
          });
        const outcome = claim ? await claim.outcome : { ran: true as const, value: await plant() };
        if (!outcome.ran) {
          if (!closing) log.info('tripwires: another node planted canaries in the last 10 minutes; not planting');
          return { accounts: [], family: null };
        }
        for (const a of outcome.value.accounts) canaryEmails.add(a.email);
        return outcome.value;
      })();
      // Planting runs beside start-up (it costs k argon2 hashes per account); a failure is logged, never fatal.
      settlePlanted(plantedPromise);
      plantedPromise.catch((err: unknown) => {
        log.error({ err: { message: (err as Error).message } }, 'tripwires: planting canaries failed');
      });
      app.addHook('onClose', async () => {
        closing = true;
        claim?.stop();
        await plantedPromise?.catch(() => undefined);
        await Promise.allSettled([...pending]);
        honeychecker.close();
      });
    },

    async settled() {
      await plantedPromise?.catch(() => undefined);
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    isCanaryAccount: (id) => honeychecker.isCanary('account', id),
  };
  return tripwires;
}
