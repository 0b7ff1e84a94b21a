/**
 * Wires breach detection into the app (app.ts calls this once, before the routes): the audit trail
 * (audit/), the anomaly detectors and the blocks they set, automatic incidents, the signed-in
 * account's incident notices (incidents/routes.ts) and GET /metrics.
 */
import type { AccountEmails } from '../accounts/index.js';
import type { Logger } from 'pino';
import type { OperatorAlertsPort } from '../alerts/index.js';
import { createAuditRecorder, registerAuditTrail, type AuditRecorder } from '../audit/index.js';
import type { Clock } from '../clock/index.js';
import type { CoreConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { App } from '../http/types.js';
import { createIncidentInbox, createIncidents, incidentNoticeRoutes } from '../incidents/index.js';
import type { LimitStore } from '../limits/index.js';
import type { Mailer } from '../mail/index.js';
import { defaultWatchConfig, type WatchConfig } from './config.js';
import { createAnomalyDetectors, type AnomalyDetectors } from './detectors.js';
import { metricsRoute } from './metrics-route.js';
import { operationIdOf } from '../audit/index.js';

export interface BreachWatchPorts {
  /** The core settings and the anomalies' own section (defaults when absent). */
  config: CoreConfig & { readonly watch?: WatchConfig };
  db: Db;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** The app's operator alerts (the alerts port; app.ts makes them once). */
  operatorAlerts: OperatorAlertsPort;
  /** The anomaly windows and blocks shared by every node (BURROW_REDIS_URL); absent: this process's. */
  limits?: LimitStore;
  /** Account addresses (sealed at rest) for incident notices. */
  emails: AccountEmails;
}

export interface BreachWatch {
  recorder: AuditRecorder;
  detectors: AnomalyDetectors;
}


/** The contact people are given in incident notices (docs/operations.md). */
export const incidentContact = (config: Pick<CoreConfig, 'accountSecurity'>): string => config.accountSecurity.publicUrl ?? config.accountSecurity.mailFrom;

export function registerBreachWatch(app: App, { config, db, clock, log, mailer, operatorAlerts, limits, emails }: BreachWatchPorts): BreachWatch {
  const watch = config.watch ?? defaultWatchConfig;
  const alerts = operatorAlerts;
  const recorder = createAuditRecorder({ db, clock, log, retentionMs: watch.auditRetentionMs });
  registerAuditTrail(app, { recorder, clock });

  const incidents = createIncidents({ db, mailer, clock, contact: incidentContact(config), emails });
  const detectors = createAnomalyDetectors({
    db,
    clock,
    log,
    config: watch.anomalies,
    alertOperator: alerts.alertOperator,
    ...(limits ? { limits } : {}),
    // The audit trail is what an automatic incident's scope is computed from: write it out first.
    openIncident: async (input) => {
      await recorder.flush();
      return (await incidents.open(input)).id;
    },
  });

  const refuse = (seconds: number): AppError => {
    const minutes = Math.ceil(seconds / 60);
    return new AppError('rate_limited', `Unusual activity from this session or address: try again in ${String(minutes)} minute(s).`, {
      reason: 'unusual_activity',
      params: { minutes },
    });
  };
  // Addresses are blocked before authentication; sessions and toys once the auth hook named them.
  app.addHook('onRequest', async (request, reply) => {
    if (request.principal !== null) return;
    const s = await detectors.blockedSeconds(request, operationIdOf(request));
    if (s > 0) {
      void reply.header('retry-after', String(s));
      throw refuse(s);
    }
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.principal === null) return;
    const s = await detectors.blockedSeconds(request, operationIdOf(request));
    if (s > 0) {
      void reply.header('retry-after', String(s));
      throw refuse(s);
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    await detectors.observe(request, reply);
  });

  incidentNoticeRoutes(app, { inbox: createIncidentInbox({ db, clock, contact: incidentContact(config) }) });
  metricsRoute(app, {
    token: watch.metricsToken,
    trustProxy: config.trustProxy,
    collect: () => {
      const s = recorder.stats();
      return [
        alerts.prometheus(),
        detectors.prometheus(),
        '# HELP burrow_audit_events_total Audit events, by outcome.',
        '# TYPE burrow_audit_events_total counter',
        `burrow_audit_events_total{outcome="recorded"} ${String(s.recorded)}`,
        `burrow_audit_events_total{outcome="written"} ${String(s.written)}`,
        `burrow_audit_events_total{outcome="dropped"} ${String(s.dropped)}`,
        '',
      ].join('\n');
    },
  });

  // Retention: the daily maintenance prunes the trail in batches (app.ts, maintenance/).
  return { recorder, detectors };
}
