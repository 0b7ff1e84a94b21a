/**
 * The composition root: builds every service once from the ports, then the Fastify app around them.
 * It does not listen: main.ts does, and tests either listen on 127.0.0.1:0 or use inject().
 *
 * Services get their dependencies here and nowhere else — no module keeps a table of services to be
 * looked up later. The operator alerts, the mailer and the tripwire-watched blob store are each made
 * once and handed to every capability that needs them (docs/architecture.md).
 *
 * Plugins load in order: error handling and schemas, then the API description, cookies, rate limits
 * and WebSocket; then the hooks that watch every request (authentication, the audit trail and
 * anomaly blocks, the tripwires), called on the root instance because an encapsulated plugin's hooks
 * would see only its own routes; then each capability's routes as a plugin (`app.register`), then
 * the web app's static files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimitPlugin from '@fastify/rate-limit';
import { rateLimit } from './http/rate-limit.js';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { accountSecurityRoutes, createAccountSecurity } from './account-security.js';
import { createAuthHooks, registerAuth } from './auth/index.js';
import { registerBreachWatch, type BreachWatch } from './anomalies/index.js';
import { deleteExpiredLinks } from './accounts/links.js';
import { deleteExpiredThrottleRows } from './accounts/throttle.js';
import { createBlobJournal, registerMaintenance, type BlobJournal, type ScheduledMaintenance } from './maintenance/index.js';
import { createInactivitySweep, INACTIVITY_DEFAULTS } from './inactivity/index.js';
import { createLeases, type Leases } from './leases/index.js';
import { createRetention, createRetentionSweep, retentionRoutes } from './retention/index.js';
import { activityRoutes, activitySummaryRoutes, createActivityLog, type ActivityLog, createActivitySummaries, createSummarySettings, fadeAuditIps, pruneActivityBatch, registerFamilyActivity } from './audit/index.js';
import { deleteExpiredSessions, fadeSessionIps } from './sessions/store.js';
import { startBackupSchedule, type BackupScheduler } from './backup/schedule.js';
import type { Blobs } from './blobs/index.js';
import type { Bus } from './bus/index.js';
import type { Clock } from './clock/index.js';
import type { Config } from './load-config.js';
import type { LimitStore, SharedRateLimitOptions } from './limits/index.js';
import type { Mailer } from './mail/index.js';
import { checkpointAfterErasure, type Db } from './db/index.js';
import { createDevices } from './devices/service.js';
import { devicesRoutes } from './devices/routes.js';
import { createSuccessions } from './devices/successions.js';
import { successionsRoutes } from './devices/successions-routes.js';
import { createKemKeys } from './kem-keys/service.js';
import { kemKeysRoutes } from './kem-keys/routes.js';
import { ErrorSchema } from '@burrow/api';
import { errorHandler, frameworkErrorHandler, notFoundHandler, refuse } from './errors/index.js';
import { accountEmailsOf, encryptClearEmails, fadeSecurityEventIps, ipFadeJob, IP_KEEP_MS, type AccountEmails, type RequestMeta } from './accounts/index.js';
import { createAccountErasure, type OwnerProof } from './erasure/account.js';
import { fadeRevokedCredentialIps, sealClearNoticeEmails } from './incidents/index.js';
import { createFamilyErasure } from './erasure/family.js';
import { createAccountExport } from './erasure/export.js';
import { createErasureMail } from './erasure/mail.js';
import { erasureRoutes } from './erasure/routes.js';
import { createFamilies } from './families/service.js';
import { familiesRoutes } from './families/routes.js';
import { healthRoutes } from './health/routes.js';
import { createInvitations } from './invitations/service.js';
import { invitationsRoutes } from './invitations/routes.js';
import { JSON_BODY_LIMIT } from './http/limits.js';
import { buildSerializer } from './http/serializer.js';
import { createAdmission } from './http/admission.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, defaultAdmission } from './http/admission-config.js';
import { clientErrorHandler, connectionsCheckingInterval } from './http/client-errors.js';
import { buildValidator } from './http/validator.js';
import type { App } from './http/types.js';
import { createMessages, DEFAULT_FAMILY_STORAGE_BYTES } from './messages/service.js';
import { indexedBlobKeys, removeOrphanBlobs } from './messages/store.js';
import { messagesRoutes } from './messages/routes.js';
import { createReviews } from './review/service.js';
import { reviewRoutes } from './review/routes.js';
import { streamRoutes } from './stream/routes.js';
import { toySyncRoutes } from './toy-sync/routes.js';
import { createToys } from './toys/service.js';
import { createFavourites } from './favourites/service.js';
import { favouritesRoutes } from './favourites/routes.js';
import { createMemberNames } from './member-names/service.js';
import { memberNamesRoutes } from './member-names/routes.js';
import { createOperatorAlerts, createTripwires, type OperatorAlerts, type Tripwires } from './tripwires/index.js';
import { toysRoutes } from './toys/routes.js';
import { createRecoveryEndorsements } from './recovery/endorsements.js';
import { createGuardianRecovery } from './recovery/guardianship.js';
import { guardianRecoveryRoutes } from './recovery/guardianship-routes.js';
import { createRecoveryCodes } from './recovery/recovery-codes.js';
import { createToySettings, toySettingsRoutes } from './toys/settings.js';
import { registerSecurityHeaders } from './security-headers/index.js';
import { serveWeb } from './web/serve-web.js';
import { createUpdates } from './updates/service.js';
import { updatesRoutes } from './updates/routes.js';
import { defaultSecurityTxtConfig } from './well-known/config.js';
import { wellKnownRoutes } from './well-known/security-txt.js';

export interface BuildAppOptions {
  config: Config;
  db: Db;
  /** The raw blob store: the app wraps it once with the tripwires for every capability. */
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** The one mailer (SMTP when BURROW_SMTP_URL is set, else the outbox folder: mail/createMailer). */
  mailer: Mailer;
  /** Rate-limit counters shared by every node (BURROW_REDIS_URL: limits/sharedRateLimitOptions); absent: per process. */
  sharedRateLimits?: SharedRateLimitOptions;
  /** Anomaly windows and blocks shared by every node (BURROW_REDIS_URL: limits/limitStoreWithFallback); absent: per process. */
  sharedLimits?: LimitStore;
}

/** The services one app was built with, for its maker (main.ts, tests): never found by lookup. */
export interface AppServices {
  readonly alerts: OperatorAlerts;
  readonly tripwires: Tripwires;
  readonly breachWatch: BreachWatch;
  /** The in-process backup schedule (`serve --backup-every`), or null; stopped when the app closes. */
  readonly backups: BackupScheduler | null;
  /** Account addresses, sealed at rest (accounts/email-store.ts): tests read them through it. */
  readonly emails: AccountEmails;
  /** The daily maintenance, claimed across nodes. */
  readonly maintenance: ScheduledMaintenance;
  /** The leases scheduled work claims (maintenance, backups, canary planting), with this node's name. */
  readonly leases: Leases;
  /** The journal of blob folders written to, rotated every 10 minutes (maintenance/blob-journal.ts). */
  readonly blobJournal: BlobJournal;
  /** The family activity log's writer: events are appended in batches after each answer; tests flush it. */
  readonly activity: ActivityLog;
}

export interface BuiltServer {
  app: App;
  services: AppServices;
}

/** Builds the app; `buildServer` when the caller also needs the services (tests, main.ts). */
export async function buildApp(options: BuildAppOptions): Promise<App> {
  return (await buildServer(options)).app;
}

export async function buildServer({ config, db, blobs: unjournaled, bus, clock, logger, mailer, sharedRateLimits, sharedLimits }: BuildAppOptions): Promise<BuiltServer> {
  // Every put is journaled by folder first, so the crash sweep below reads only those (maintenance/blob-journal.ts).
  // It rotates every 10 minutes, keeping only the folders of puts whose index row is not there yet.
  const blobJournal = createBlobJournal(unjournaled, join(config.dataDir, 'blob-journal'), {
    indexed: (keys) => indexedBlobKeys(db, keys),
    onRotationFailed: (err) => {
      logger.warn({ err: { message: (err as Error).message } }, 'blob journal: rotation failed; the older journal files stay and the next rotation tries again');
    },
  });
  const rawBlobs = blobJournal.blobs;
  const log = logger;
  // Operator alerts, made once: tripwires, anomaly detectors and the backup schedule raise them.
  const alerts = createOperatorAlerts({ mailer, log, clock, to: config.tripwires.operatorEmail });
  // Tripwires (canaries, honeywords) watch the password hasher, account mail and blob reads.
  // Account addresses are sealed at rest under a key from the pepper (accounts/email-store.ts); rows
  // stored before migration 0830 are converted now, before anything reads an address.
  const emails = accountEmailsOf(config, log);
  const converted = await encryptClearEmails(db, emails);
  if (converted > 0) {
    await checkpointAfterErasure(db); // the clear addresses' old frames leave the WAL too
    log.info({ accounts: converted }, 'sealed email addresses stored in clear before migration 0830');
  }
  // Incident notices written before 0830 name their recipient in clear: sealed the same way, now.
  const notices = await sealClearNoticeEmails(db, (accountId, email) => emails.seal(accountId, email));
  if (notices > 0) {
    await checkpointAfterErasure(db);
    log.info({ notices }, 'sealed incident notice addresses stored in clear before migration 0830');
  }
  const tripwires = createTripwires({ config, db, clock, log, mailer, alerts, emails });
  // Every capability reads blobs through the same watched store, so a canary blob fires whichever route fetched it.
  const blobs = tripwires.wrapBlobs(rawBlobs);
  const accountSecurity = createAccountSecurity({ config, db, clock, log, mailer: tripwires.wrapMailer(mailer), wrapHasher: tripwires.wrapHasher, emails });
  const https = config.tls
    ? { key: readFileSync(config.tls.keyPath), cert: readFileSync(config.tls.certPath) }
    : null;
  // With `https` Fastify's server type becomes https.Server; routes only use the common request API,
  // so the instance is typed as the plain HTTP one.
  const requestTimeout = config.admission?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const serverTimeouts = { requestTimeout, connectionsCheckingInterval: connectionsCheckingInterval(requestTimeout) };
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT,
    // Ajv: bodies are not type-coerced and no input may hold a non-finite number (http/validator.ts).
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    frameworkErrors: frameworkErrorHandler,
    // Every request arrives whole within the request timeout or is answered 408 in the API's shape
    // (http/client-errors.ts); Fastify's default is none at all. Given to Node's server at its
    // creation too: Fastify assigns `server.requestTimeout` afterwards, which Node 20 does not
    // enforce (a half-sent body was never cut; request-timeout.test).
    requestTimeout,
    clientErrorHandler,
    http: serverTimeouts,
    // Behind a TLS-terminating proxy, client addresses (rate limits) come from X-Forwarded-For.
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    ...(https ? { https: { ...https, ...serverTimeouts } } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addSchema(ErrorSchema);

  // Security headers on every answer; state-changing requests from another site are refused.
  registerSecurityHeaders(app, { https: https !== null, publicOrigin: config.accountSecurity.publicUrl });

  await app.register(swagger, {
    // Shared schemas appear under their $id (components.schemas.Error), not "def-0".
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${String(i)}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Burrow', version: '1', description: 'Burrow HTTP API (docs/api.md).' },
      components: {
        securitySchemes: {
          session: {
            type: 'http',
            scheme: 'bearer',
            description: 'Session token (bs_...) or the burrow_session cookie.',
          },
          toy: { type: 'http', scheme: 'bearer', description: 'Toy token (bt_...).' },
        },
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimitPlugin, {
    global: true,
    ...rateLimit(config.rateLimits.global),
    ...sharedRateLimits,
    errorResponseBuilder: (_request, context) =>
      refuse('rate_limited', 'too_many_requests', `Too many requests; try again in ${context.after}.`, {
        seconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  registerAuth(app, createAuthHooks({ db, clock, secondFactorGate: accountSecurity.secondFactorGate }));
  // Audit trail, anomaly alerts and blocks, incident notices, /metrics (issue 6; docs/operations.md).
  const breachWatch = registerBreachWatch(app, { config, db, clock, log, mailer, operatorAlerts: alerts, emails, ...(sharedLimits ? { limits: sharedLimits } : {}) });
  // The family activity log guardians read (hash-chained; audit/activity-log.ts, docs/privacy.md).
  const activity = createActivityLog({ db, log });
  registerFamilyActivity(app, { activity, db, clock });
  // Scheduled work (maintenance, backups, canary planting) claims each run in the database, so with
  // several nodes on one database it runs once (docs/operations.md "Running several nodes").
  const leases = createLeases({ db, clock });
  // Daily maintenance, at start and once a day: old rows deleted in bounded batches, each job its
  // table owner's delete (docs/operations.md "Maintenance").
  const retentionSweep = createRetentionSweep({ db, blobs, bus, clock });
  const maintenance = registerMaintenance(app, {
    log,
    leases,
    jobs: {
      // First, while the sessions that show who signed in are all still there (inactivity/sweep.ts):
      // families nobody signed in to for the period are warned, then deleted (docs/privacy.md).
      inactiveFamilies: createInactivitySweep({
        db,
        clock,
        log,
        mailer: tripwires.wrapMailer(mailer),
        emails,
        config: config.inactivity ?? INACTIVITY_DEFAULTS,
        deleteFamily: (familyId) => familyErasure.deleteInactiveFamily(familyId),
        exempt: (familyId) => tripwires.honeychecker.isCanary('family', familyId),
      }),
      audit: (n) => breachWatch.recorder.pruneBatch(n),
      activity: (n) => pruneActivityBatch(db, clock.now(), n),
      sessions: (n) => deleteExpiredSessions(db, clock.now(), n),
      accountLinks: (n) => deleteExpiredLinks(db, clock.now(), n),
      throttle: (n) => deleteExpiredThrottleRows(db, clock.now(), n),
      // Client addresses older than IP_KEEP_DAYS (30) cut to their /24 or /48 (accounts/ip-fade.ts; docs/privacy.md).
      sessionIps: ipFadeJob(fadeSessionIps(db, () => clock.now() - IP_KEEP_MS)),
      securityEventIps: ipFadeJob(fadeSecurityEventIps(db, () => clock.now() - IP_KEEP_MS), () => checkpointAfterErasure(db)),
      revokedCredentialIps: ipFadeJob(fadeRevokedCredentialIps(db, () => clock.now() - IP_KEEP_MS)),
      auditIps: ipFadeJob(fadeAuditIps(db, () => clock.now() - IP_KEEP_MS), () => checkpointAfterErasure(db)),
      // Messages past their family's retention period, unfetched ones past 30 days, then any blob
      // no message points at (retention/sweep.ts; docs/privacy.md).
      retentionMessages: retentionSweep.messages,
      retentionBlobs: retentionSweep.blobs,
      // The weekly activity summary to the guardians who asked for it (audit/activity-summary.ts).
      activitySummaries: createActivitySummaries({ db, clock, log, mailer: tripwires.wrapMailer(mailer), emails }),
    },
  });
  // A crash can leave blob bytes without their index row (stored, never acknowledged) and temp files
  // of interrupted writes: sweep them before anything writes blobs (planting, requests). P7.
  // Only the folders earlier runs journaled (every folder the first time), so start-up does not grow with the blobs stored.
  const swept = await blobJournal.start((folders) => removeOrphanBlobs(db, unjournaled, folders ?? undefined));
  if (swept.removed > 0) log.warn({ orphans: swept.removed, folders: swept.folders }, 'removed blobs a crash left without their index row');
  app.addHook('onClose', () => blobJournal.close());
  // Planting writes the canary rows and blob itself: the raw store, as no reader is involved.
  tripwires.register(app, { blobs: rawBlobs, leases });

  const context = { config };
  await app.register(accountSecurityRoutes, { ...context, ...accountSecurity });
  await app.register(devicesRoutes, { ...context, devices: createDevices({ db, clock }) });
  await app.register(kemKeysRoutes, { ...context, kemKeys: createKemKeys({ db, clock }) });
  await app.register(successionsRoutes, { ...context, successions: createSuccessions({ db, bus, clock }) });
  const families = createFamilies({ db, bus, clock, log });
  await app.register(familiesRoutes, { ...context, families });
  const toys = createToys({ db, blobs, bus, clock, log });
  await app.register(toysRoutes, { ...context, toys });
  // A sole guardian who lost every device: a recovery code and the toy in hand (recovery/guardianship.ts).
  const guardianRecovery = createGuardianRecovery({
    db,
    bus,
    clock,
    log,
    codes: createRecoveryCodes({ db, clock, pepper: accountSecurity.credentials.pepper }),
    credentials: accountSecurity.credentials,
    tell: accountSecurity.tell,
  });
  await app.register(guardianRecoveryRoutes, { ...context, guardianRecovery, endorsements: createRecoveryEndorsements({ db, clock }) });
  await app.register(memberNamesRoutes, { ...context, memberNames: createMemberNames({ db, bus, clock }) });
  await app.register(invitationsRoutes, { ...context, invitations: createInvitations({ db, clock, log, emails }) });
  const toySettings = createToySettings({ db, bus, clock });
  await app.register(toySettingsRoutes, { ...context, settings: toySettings });
  const messageLimits = { sendMessage: config.rateLimits.sendMessage, familyStorageBytes: config.familyStorageBytes ?? DEFAULT_FAMILY_STORAGE_BYTES };
  const messages = createMessages({ db, blobs, bus, clock, log, limits: messageLimits });
  // One admission for the writes and the deliveries they wait behind (http/admission.ts).
  const admission = createAdmission(config.admission ?? defaultAdmission);
  await app.register(messagesRoutes, { ...context, messages, admission });
  await app.register(retentionRoutes, { ...context, retention: createRetention({ db, clock }) });
  const reviews = createReviews({ db, blobs, bus, clock, log, emails });
  await app.register(reviewRoutes, { ...context, reviews });
  const favourites = createFavourites({ db, bus, clock });
  await app.register(favouritesRoutes, { ...context, favourites });
  // A toy's wake-up in one round trip, read from the same services as the single routes.
  await app.register(toySyncRoutes, {
    ...context,
    admission,
    sources: {
      rosters: (toy, familyId, after) => families.listRosters(toy, familyId, after),
      deletions: (toy, after, limit) => toys.listDeletions(toy, after, limit),
      settings: (toyId) => toySettings.forToy(toyId),
      inbox: (caller, after, limit) => messages.listMessages(caller, after, limit),
      reviewed: (toyId, after, limit) => reviews.released(toyId, after, limit),
      favourites: (toy, after, limit) => favourites.listToyFavourites(toy, after, limit),
    },
  });
  await app.register(streamRoutes, { ...context, db, bus, clock, secondFactorGate: accountSecurity.secondFactorGate, onPresence: activity.presence });
  await app.register(activityRoutes, { ...context, db, clock });
  await app.register(activitySummaryRoutes, { ...context, summarySettings: createSummarySettings({ db, clock }) });
  // Deleting an account, a child or a family (erasure/): re-authenticated like the Security page's changes.
  const erasure = {
    db,
    blobs,
    bus,
    log,
    emails,
    mail: createErasureMail({ mailer: tripwires.wrapMailer(mailer), log }),
    confirmOwner: (accountId: string, proof: OwnerProof, meta: RequestMeta) => accountSecurity.factors.confirmOwner(accountId, proof, meta),
  };
  const familyErasure = createFamilyErasure(erasure);
  await app.register(erasureRoutes, { ...context, accountErasure: createAccountErasure(erasure), familyErasure, accountExport: createAccountExport({ db, clock, emails }) });
  await app.register(healthRoutes, { db, bus });
  // Signed toy updates (a mirror: the toy verifies) and the published security contact (RFC 9116).
  await app.register(updatesRoutes, { ...context, updates: createUpdates({ db, clock }), updatesConfig: config.updates ?? { uploadToken: null } });
  await app.register(wellKnownRoutes, { securityTxt: config.securityTxt ?? defaultSecurityTxtConfig, publicUrl: config.accountSecurity.publicUrl, clock });

  app.get('/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  // The web app (packages/web/dist) last, so API routes and the JSON 404 keep precedence.
  await app.register(serveWeb);

  // `serve --backup-every 24h --backup-dir DIR` (docs/operations.md "Scheduled backups"). A backup
  // copies every blob, canaries included: it reads the raw store, or each run would trip the canary.
  const backups = config.backupSchedule
    ? startBackupSchedule({ schedule: config.backupSchedule, database: config.database, db, blobs: rawBlobs, clock, log, alertOperator: alerts.alertOperator, leases })
    : null;
  if (backups) app.addHook('onClose', () => backups.stop());
  return { app, services: { alerts, tripwires, breachWatch, backups, maintenance, leases, emails, blobJournal, activity } };
}
