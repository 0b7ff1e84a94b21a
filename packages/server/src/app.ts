/**
 * Builds the Fastify app from its ports. It does not listen: main.ts does, and tests either listen
 * on 127.0.0.1:0 or use inject(). Plugins load in order: error handling and schemas, then the API
 * description, cookies, rate limits and WebSocket, then authentication, then the API routes, then
 * the web app's static files.
 */
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import rateLimitPlugin from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { accountSecurityRoutes, createAccountSecurity } from './account-security.js';
import { createAuthHooks, registerAuth } from './auth/index.js';
import { registerBreachWatch } from './anomalies/index.js';
import type { Blobs } from './blobs/index.js';
import type { Bus } from './bus/index.js';
import type { Clock } from './clock/index.js';
import type { Config } from './config.js';
import { createMailer, type Mailer } from './mail/index.js';
import type { Db } from './db/index.js';
import { createDevices } from './devices/service.js';
import { devicesRoutes } from './devices/routes.js';
import { AppError, ErrorSchema, errorHandler, notFoundHandler } from './errors/index.js';
import { createFamilies } from './families/service.js';
import { familiesRoutes } from './families/routes.js';
import { healthRoutes } from './health/routes.js';
import { createInvitations } from './invitations/service.js';
import { invitationsRoutes } from './invitations/routes.js';
import { JSON_BODY_LIMIT } from './http/limits.js';
import { buildValidator } from './http/validator.js';
import type { App } from './http/types.js';
import { createMessages, DEFAULT_FAMILY_STORAGE_BYTES } from './messages/service.js';
import { messagesRoutes } from './messages/routes.js';
import { createReviews } from './review/service.js';
import { reviewRoutes } from './review/routes.js';
import { streamRoutes } from './stream/routes.js';
import { createToys } from './toys/service.js';
import { createTripwires } from './tripwires/index.js';
import { toysRoutes } from './toys/routes.js';
import { createToySettings, toySettingsRoutes } from './toys/settings.js';
import { registerSecurityHeaders } from './security-headers/index.js';
import { serveWeb } from './web/serve-web.js';

export interface BuildAppOptions {
  config: Config;
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Default: from the config (SMTP when BURROW_SMTP_URL is set, else the outbox folder). */
  mailer?: Mailer;
}

export async function buildApp({ config, db, blobs, bus, clock, logger, mailer: givenMailer }: BuildAppOptions): Promise<App> {
  const mailer = givenMailer ?? createMailer({ config: { ...config, mailFrom: config.accountSecurity.mailFrom }, log: logger });
  // Tripwires (canaries, honeywords, operator alerts) watch the password hasher, account mail and blob reads.
  const tripwires = createTripwires({ config, db, clock, log: logger, mailer });
  const accountSecurity = createAccountSecurity({ config, db, clock, log: logger, mailer: tripwires.wrapMailer(mailer), wrapHasher: tripwires.wrapHasher });
  const https = config.tls
    ? { key: readFileSync(config.tls.keyPath), cert: readFileSync(config.tls.certPath) }
    : null;
  // With `https` Fastify's server type becomes https.Server; routes only use the common request API,
  // so the instance is typed as the plain HTTP one.
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT,
    // Ajv: bodies are not type-coerced and no input may hold a non-finite number (http/validator.ts).
    schemaController: { compilersFactory: { buildValidator } },
    // Behind a TLS-terminating proxy, client addresses (rate limits) come from X-Forwarded-For.
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    ...(https ? { https } : {}),
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
    max: config.rateLimits.global.max,
    timeWindow: config.rateLimits.global.windowMs,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests; try again in ${context.after}.`),
  });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  registerAuth(app, createAuthHooks({ db, clock }));
  // Audit trail, anomaly alerts and blocks, incident notices, /metrics (issue 6; docs/operations.md).
  registerBreachWatch(app, { config, db, clock, log: logger, mailer, operatorAlerts: tripwires.alerts });
  tripwires.register(app, { blobs });

  const context = { config };
  const log = logger;
  await accountSecurityRoutes(app, { ...context, ...accountSecurity });
  devicesRoutes(app, { ...context, devices: createDevices({ db, clock }) });
  familiesRoutes(app, { ...context, families: createFamilies({ db, bus, clock, log }) });
  toysRoutes(app, { ...context, toys: createToys({ db, blobs, bus, clock, log }) });
  invitationsRoutes(app, { ...context, invitations: createInvitations({ db, clock, log }) });
  toySettingsRoutes(app, { ...context, settings: createToySettings({ db, bus, clock }) });
  messagesRoutes(app, { ...context, messages: createMessages({ db, blobs: tripwires.wrapBlobs(blobs), bus, clock, log, limits: { sendMessage: config.rateLimits.sendMessage, familyStorageBytes: config.familyStorageBytes ?? DEFAULT_FAMILY_STORAGE_BYTES } }) });
  reviewRoutes(app, { ...context, reviews: createReviews({ db, blobs, bus, clock, log }) });
  streamRoutes(app, { ...context, db, bus, clock });
  healthRoutes(app, { db });

  app.get('/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  // The web app (packages/web/dist) last, so API routes and the JSON 404 keep precedence.
  await app.register(serveWeb);
  return app;
}
