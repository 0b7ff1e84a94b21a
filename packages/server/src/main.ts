/**
 * `npm start`: read the configuration, open the ports, migrate, listen. Nothing else lives here, so
 * tests build the same app with buildApp() and their own ports.
 */
import { buildApp } from './app.js';
import { openBlobs } from './blobs/open-blobs.js';
import { createMemoryBus } from './bus/index.js';
import { createNatsBus } from './bus/nats-bus.js';
import { systemClock } from './clock/index.js';
import { ConfigError, describeConfig, parseConfig } from './load-config.js';
import { createMemoryLimitStore, createRedisLimitStore, limitStoreWithFallback, sharedRateLimitOptions } from './limits/index.js';
import { createRedisClient } from './limits/redis-client.js';
import { DEFAULT_CHECKPOINTER, logCheckpointFailure } from './db/checkpointer.js';
import { migrate, openDb } from './db/index.js';
import { formatFindings, runDoctor } from './doctor/index.js';
import { createLogger } from './logger.js';
import { createMailer } from './mail/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      // 2, as for a bad command line: the settings are wrong, nothing was tried (docs/operations.md).
      console.error(`Burrow cannot start: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // P8: the doctor's checks gate start-up. Production refuses on any finding; development warns.
  const production = config.production || process.argv.includes('--production');
  const findings = await runDoctor(config);
  if (findings.length > 0 && production) {
    console.error(
      `Burrow refuses to start in production mode. Fix each finding, then start again (\`burrow doctor\` re-checks):\n${formatFindings(findings, 'refusal')}`,
    );
    process.exit(1);
  }
  if (findings.length > 0)
    console.warn(
      `Development mode: ${String(findings.length)} finding(s) that production mode would refuse (docs/operations.md):\n${formatFindings(findings, 'warning')}`,
    );
  const logger = createLogger(config.logLevel);
  logger.info({ config: describeConfig(config) }, 'starting');
  const { db, dialect } = openDb(
    config.database,
    (err) => {
      logger.warn({ err: err.message }, 'database: an idle connection was closed by the server; the next query reconnects');
    },
    {
      // SQLite: WAL checkpoints from a worker thread, not inside a request's commit (db/checkpointer.ts).
      checkpoints: DEFAULT_CHECKPOINTER,
      onCheckpointError: logCheckpointFailure(logger),
    },
  );
  await migrate(db, dialect);
  const onBusHandlerError = (err: unknown): void => {
    logger.error({ err }, 'bus handler failed');
  };
  // With BURROW_NATS_URL, wake-ups cross nodes through NATS (docs/operations.md "Scale-out").
  const natsBus =
    config.bus?.kind === 'nats'
      ? createNatsBus({ servers: config.bus.servers, subjectPrefix: config.bus.subjectPrefix, log: logger, onHandlerError: onBusHandlerError })
      : null;
  const bus = natsBus ?? createMemoryBus(onBusHandlerError);
  // With BURROW_REDIS_URL, every node counts rate limits in the same Redis (docs/operations.md "Scale-out").
  const redis = config.limits?.redisUrl ? createRedisClient(config.limits.redisUrl, logger) : null;
  const sharedRateLimits = redis && config.limits ? sharedRateLimitOptions(redis, config.limits.keyPrefix, logger) : undefined;
  // …and the anomaly detectors count their windows and set their blocks there too (this process's memory while Redis is down).
  const sharedLimits =
    redis && config.limits
      ? limitStoreWithFallback(createRedisLimitStore({ redis, keyPrefix: config.limits.keyPrefix, ownsClient: false }), createMemoryLimitStore(), logger)
      : undefined;
  // The one mailer. Without SMTP, account mail goes to <data>/outbox; in development its links are printed too.
  const mailer = createMailer({
    config: { ...config, mailFrom: config.accountSecurity.mailFrom },
    log: logger,
    ...(config.production ? {} : { announce: (line: string) => console.log(line) }),
  });
  // The app also runs the backup schedule, if one is configured, and stops it when it closes.
  const app = await buildApp({
    config,
    db,
    blobs: openBlobs(config),
    bus,
    clock: systemClock,
    logger,
    mailer,
    ...(sharedRateLimits ? { sharedRateLimits } : {}),
    ...(sharedLimits ? { sharedLimits } : {}),
  });

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => natsBus?.close())
      .then(() => redis?.quit())
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });

  await app.listen({ host: config.host, port: config.port });
  const scheme = config.tls ? 'https' : 'http';
  console.log(`Burrow is listening on ${scheme}://localhost:${config.port}`);
}

main().catch((err: unknown) => {
  console.error('Burrow failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
