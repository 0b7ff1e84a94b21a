/**
 * Operator alerts, the implementation of the alerts port (alerts/): the one way a tripwire (canary,
 * honeyword), an anomaly (anomalies/) or a failed scheduled backup (backup/) tells the person running
 * Burrow that something is wrong. Each alert is
 *
 * 1. logged (pino, `warn` or `error` by severity) with its kind, severity, summary and details —
 *    details whose key looks like a secret (password, token, secret, key, hash, cookie) are dropped;
 * 2. mailed to the operator (`BURROW_OPERATOR_EMAIL`; the configured Mailer, so without SMTP it is
 *    an .eml file in `<dataDir>/outbox`), at most once per kind + subject per throttle window: the
 *    repeats inside the window are counted and the next mail says how many there were;
 * 3. counted, per kind and severity, in `metrics()` (`burrow_operator_alerts_total`).
 *
 * A failing mail never fails the caller: a tripwire fires inside a sign-in or a read, which must
 * answer as usual. The failure is logged and counted (`mailFailures`).
 *
 * Throttling is per process (a Map); with several server nodes the operator may get one mail per
 * node per window, which errs on the side of telling.
 */
import type { Logger } from 'pino';
import type { AlertDetails, AlertOperator, AlertSeverity, OperatorAlertsPort } from '../alerts/index.js';
import type { Clock } from '../clock/index.js';
import type { Mailer } from '../mail/index.js';

export interface AlertMetrics {
  /** `${kind}:${severity}` → number of alerts raised (mailed or throttled). */
  readonly raised: Readonly<Record<string, number>>;
  readonly mailed: number;
  readonly throttled: number;
  readonly mailFailures: number;
}

export interface OperatorAlerts extends OperatorAlertsPort {
  metrics(): AlertMetrics;
}

export interface OperatorAlertPorts {
  mailer: Mailer;
  log: Logger;
  clock: Clock;
  /** The operator's address (config `tripwires.operatorEmail`). */
  to: string;
  /** Same kind + subject within this many ms → one mail. Default 15 minutes. */
  throttleMs?: number;
}

// The port's types, for callers that know the implementation (tests, app.ts).
export type { AlertDetails, AlertOperator, AlertOutcome, AlertSeverity, OperatorAlert } from '../alerts/index.js';

export const DEFAULT_ALERT_THROTTLE_MS = 15 * 60_000;
/** At most this many kind+subject windows are remembered; the oldest are forgotten first. */
const MAX_WINDOWS = 10_000;
const SECRET_KEY = /pass|token|secret|key|hash|cookie|pepper|sweetword|honeyword/i;

const SEVERITY_RANK: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Drops detail entries whose key looks like a secret, and long values (which may be payloads). */
export function safeDetails(
  details: AlertDetails | undefined,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(details ?? {})) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v;
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 160);
}

export function createOperatorAlerts({
  mailer,
  log,
  clock,
  to,
  throttleMs = DEFAULT_ALERT_THROTTLE_MS,
}: OperatorAlertPorts): OperatorAlerts {
  // kind + subject → when the window opened and how many alerts it swallowed since the last mail.
  const windows = new Map<string, { openedAt: number; suppressed: number; worst: AlertSeverity }>();
  const raised = new Map<string, number>();
  let mailed = 0;
  let throttled = 0;
  let mailFailures = 0;

  const alertOperator: AlertOperator = async (alert) => {
    const details = safeDetails(alert.details);
    const counterKey = `${alert.kind}:${alert.severity}`;
    raised.set(counterKey, (raised.get(counterKey) ?? 0) + 1);
    const fields = {
      alert: { kind: alert.kind, severity: alert.severity, summary: oneLine(alert.summary), details },
    };
    if (SEVERITY_RANK[alert.severity] >= SEVERITY_RANK.high) log.error(fields, 'operator alert');
    else log.warn(fields, 'operator alert');

    const now = clock.now();
    const windowKey = `${alert.kind}\0${alert.subject ?? alert.summary}`;
    const open = windows.get(windowKey);
    // A more severe alert of the same kind and subject is never swallowed by a milder one's window.
    if (
      open &&
      now - open.openedAt < throttleMs &&
      SEVERITY_RANK[alert.severity] <= SEVERITY_RANK[open.worst]
    ) {
      open.suppressed++;
      throttled++;
      return { mailed: false, mailFailed: false };
    }
    const suppressedBefore = open?.suppressed ?? 0;
    windows.delete(windowKey);
    windows.set(windowKey, { openedAt: now, suppressed: 0, worst: alert.severity });
    if (windows.size > MAX_WINDOWS) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }

    const lines = [
      `Burrow raised a ${alert.severity} alert: ${alert.kind}.`,
      '',
      alert.summary,
      '',
      `When: ${new Date(now).toISOString()}`,
      ...Object.entries(details).map(([k, v]) => `${k}: ${String(v)}`),
    ];
    if (suppressedBefore > 0)
      lines.push(
        '',
        `${String(suppressedBefore)} more alert(s) of this kind and subject were raised in the previous window and not mailed.`,
      );
    lines.push(
      '',
      `Repeats of this alert within ${String(Math.round(throttleMs / 60_000))} minutes are logged and counted but not mailed.`,
      'What to do: docs/operations.md, "Tripwires and alerts".',
    );
    try {
      await mailer.send({
        to,
        subject: `[Burrow ${alert.severity}] ${oneLine(alert.kind)}: ${oneLine(alert.summary)}`.slice(0, 200),
        text: lines.join('\n'),
      });
      mailed++;
      return { mailed: true, mailFailed: false };
    } catch (err) {
      mailFailures++;
      log.error(
        { err: { message: err instanceof Error ? err.message : String(err) }, alertKind: alert.kind },
        'operator alert mail failed',
      );
      return { mailed: false, mailFailed: true };
    }
  };

  return {
    alertOperator,
    metrics: () => ({ raised: Object.fromEntries(raised), mailed, throttled, mailFailures }),
    prometheus() {
      const out = [
        '# HELP burrow_operator_alerts_total Operator alerts raised, by kind and severity.',
        '# TYPE burrow_operator_alerts_total counter',
      ];
      for (const [key, n] of [...raised].sort()) {
        const i = key.lastIndexOf(':');
        out.push(
          `burrow_operator_alerts_total{kind="${key.slice(0, i).replace(/["\\\n]/g, '_')}",severity="${key.slice(i + 1)}"} ${String(n)}`,
        );
      }
      out.push(
        '# HELP burrow_operator_alert_mails_total Operator alert mails, by outcome.',
        '# TYPE burrow_operator_alert_mails_total counter',
      );
      out.push(`burrow_operator_alert_mails_total{outcome="sent"} ${String(mailed)}`);
      out.push(`burrow_operator_alert_mails_total{outcome="throttled"} ${String(throttled)}`);
      out.push(`burrow_operator_alert_mails_total{outcome="failed"} ${String(mailFailures)}`);
      return `${out.join('\n')}\n`;
    },
  };
}
