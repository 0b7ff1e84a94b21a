/**
 * Operator alerts as a port: the one way a capability tells the person running Burrow that something
 * is wrong (a failed scheduled backup, an anomaly, a tripwire). Capabilities raise alerts through
 * `AlertOperator` and never learn how they are delivered; the implementation (log, throttled mail,
 * counters) is tripwires/alert.ts, made once per app in app.ts and passed in.
 */

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low';

/** Detail values are plain scalars: no objects, so nothing nested slips past the secret filter. */
export type AlertDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface OperatorAlert {
  /** A stable, machine-readable name, e.g. `canary-login`, `honeyword-login`, `failed-sign-in-spike`. */
  readonly kind: string;
  readonly severity: AlertSeverity;
  /** One line an operator reads first. Never a secret. */
  readonly summary: string;
  /** Ids, counts, addresses — never passwords, tokens or content (keys that look secret are dropped). */
  readonly details?: AlertDetails;
  /**
   * What the alert is about (an account id, an address, a family id). Alerts of the same kind and
   * subject within the throttle window send one mail. Default: the summary.
   */
  readonly subject?: string;
}

export interface AlertOutcome {
  /** true when this alert was mailed; false when a same kind+subject alert already was, within the window. */
  readonly mailed: boolean;
  /** The mail was attempted and failed (logged). */
  readonly mailFailed: boolean;
}

/** Raises one alert. Never rejects because delivery failed: the caller's own work goes on. */
export type AlertOperator = (alert: OperatorAlert) => Promise<AlertOutcome>;

/** What a capability is given: the way to raise alerts, and their counters for /metrics. */
export interface OperatorAlertsPort {
  readonly alertOperator: AlertOperator;
  /** Prometheus text exposition of the alert counters. */
  prometheus(): string;
}
