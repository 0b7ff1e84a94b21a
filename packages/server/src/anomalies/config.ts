/**
 * Thresholds of the anomaly detectors and of the audit trail's retention (docs/operations.md
 * "Anomaly alerts"), parsed once from the environment by config.ts. `BURROW_ANOMALIES` is a JSON
 * object that overrides any of the defaults below, e.g. `{"crossFamily":{"alertAt":3}}`.
 */
export interface AnomalyRule {
  /** Events of this kind from one source within `windowMs` that raise an alert and block the source. */
  readonly alertAt: number;
  /** Events past which an incident is opened automatically (once per source per day). */
  readonly incidentAt: number;
  readonly windowMs: number;
  /** How long a source is answered 429 after an alert (0: not blocked). */
  readonly blockMs: number;
}

export interface ReadVolumeRule {
  /** Never alert below this many distinct blobs read in the window. */
  readonly minDistinct: number;
  /** Alert past `factor` × the blobs the source's own families hold (or minDistinct, if more). */
  readonly factor: number;
  /** Reads past that limit (blocked attempts included) that open an incident. */
  readonly incidentAt: number;
  readonly windowMs: number;
  readonly blockMs: number;
}

export interface AnomalyConfig {
  /** (a) An authenticated principal refused (403/404) on a family, toy, device or message not its own. */
  readonly crossFamily: AnomalyRule;
  /** (b) Failed sign-ins from one address (beyond the per-account throttle of accounts/throttle.ts). */
  readonly failedSignInsPerIp: AnomalyRule;
  /** (b) Failed sign-ins across the whole service (credential stuffing from many addresses). Never blocks. */
  readonly failedSignInsGlobal: AnomalyRule;
  /** (c) One session or toy reading far more blobs than its families hold. */
  readonly readVolume: ReadVolumeRule;
  /** (d) A revoked or removed device key or token presented. */
  readonly revokedCredential: AnomalyRule;
}

export interface WatchConfig {
  readonly anomalies: AnomalyConfig;
  /** Audit events older than this are deleted (BURROW_AUDIT_RETENTION_DAYS, default 365). */
  readonly auditRetentionMs: number;
  /** BURROW_METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <it>` (else loopback only). */
  readonly metricsToken: string | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const defaultAnomalyConfig: AnomalyConfig = Object.freeze({
  crossFamily: Object.freeze({ alertAt: 5, incidentAt: 20, windowMs: 10 * MINUTE, blockMs: 15 * MINUTE }),
  failedSignInsPerIp: Object.freeze({ alertAt: 50, incidentAt: 500, windowMs: 10 * MINUTE, blockMs: 15 * MINUTE }),
  failedSignInsGlobal: Object.freeze({ alertAt: 500, incidentAt: 5000, windowMs: 10 * MINUTE, blockMs: 0 }),
  readVolume: Object.freeze({ minDistinct: 500, factor: 2, incidentAt: 200, windowMs: HOUR, blockMs: HOUR }),
  revokedCredential: Object.freeze({ alertAt: 1, incidentAt: 5, windowMs: HOUR, blockMs: 0 }),
});

export const defaultWatchConfig: WatchConfig = Object.freeze({
  anomalies: defaultAnomalyConfig,
  auditRetentionMs: 365 * DAY,
  metricsToken: null,
});

const never = Object.freeze({ alertAt: 1_000_000_000, incidentAt: 1_000_000_000, windowMs: MINUTE, blockMs: 0 });

/**
 * Detectors that never fire: for test servers whose suites probe access control or sign-in limits
 * on purpose (as their rate limits are relaxed); tests of the detectors pass their own thresholds.
 */
export const relaxedWatchConfig: WatchConfig = Object.freeze({
  ...defaultWatchConfig,
  anomalies: Object.freeze({
    crossFamily: never,
    failedSignInsPerIp: never,
    failedSignInsGlobal: never,
    readVolume: Object.freeze({ minDistinct: 1_000_000_000, factor: 1, incidentAt: 1_000_000_000, windowMs: MINUTE, blockMs: 0 }),
    revokedCredential: never,
  }),
});

export class WatchConfigError extends Error {
  override readonly name = 'WatchConfigError';
}

function mergeRule<T extends object>(name: string, base: T, override: unknown): T {
  if (override === undefined) return base;
  if (typeof override !== 'object' || override === null) throw new WatchConfigError(`BURROW_ANOMALIES.${name} must be an object.`);
  const out: Record<string, number> = { ...(base as Record<string, number>) };
  for (const [k, v] of Object.entries(override)) {
    if (!(k in base)) throw new WatchConfigError(`BURROW_ANOMALIES.${name} has no setting "${k}" (known: ${Object.keys(base).join(', ')}).`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new WatchConfigError(`BURROW_ANOMALIES.${name}.${k} must be a number ≥ 0.`);
    out[k] = v;
  }
  return Object.freeze(out) as T;
}

export function mergeAnomalyConfig(override: unknown, base: AnomalyConfig = defaultAnomalyConfig): AnomalyConfig {
  if (override === undefined) return base;
  if (typeof override !== 'object' || override === null) throw new WatchConfigError('BURROW_ANOMALIES must be a JSON object.');
  const o = override as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in base)) throw new WatchConfigError(`BURROW_ANOMALIES has no detector "${k}" (known: ${Object.keys(base).join(', ')}).`);
  return Object.freeze({
    crossFamily: mergeRule('crossFamily', base.crossFamily, o.crossFamily),
    failedSignInsPerIp: mergeRule('failedSignInsPerIp', base.failedSignInsPerIp, o.failedSignInsPerIp),
    failedSignInsGlobal: mergeRule('failedSignInsGlobal', base.failedSignInsGlobal, o.failedSignInsGlobal),
    readVolume: mergeRule('readVolume', base.readVolume, o.readVolume),
    revokedCredential: mergeRule('revokedCredential', base.revokedCredential, o.revokedCredential),
  });
}

export function parseWatchConfig(env: NodeJS.ProcessEnv): WatchConfig {
  let anomalies = defaultAnomalyConfig;
  if (env.BURROW_ANOMALIES) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.BURROW_ANOMALIES);
    } catch {
      throw new WatchConfigError('BURROW_ANOMALIES must be a JSON object, e.g. {"crossFamily":{"alertAt":3}}.');
    }
    anomalies = mergeAnomalyConfig(parsed);
  }
  const days = env.BURROW_AUDIT_RETENTION_DAYS ? Number(env.BURROW_AUDIT_RETENTION_DAYS) : 365;
  if (!Number.isInteger(days) || days < 1) throw new WatchConfigError('BURROW_AUDIT_RETENTION_DAYS must be a whole number of days ≥ 1.');
  return Object.freeze({ anomalies, auditRetentionMs: days * DAY, metricsToken: env.BURROW_METRICS_TOKEN || null });
}
