import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { isDependencyDown } from '../errors/dependency-down.js';
import type { App } from '../http/types.js';

/** Liveness and readiness for load balancers; hidden from the API description. */
export function healthRoutes(app: App, { db }: { db: Db }): void {
  app.get('/healthz', { schema: { hide: true }, config: { rateLimit: false } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { rateLimit: false } }, async (request) => {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      // Not ready is not a bug here: a database that is away (restarting, failing over) makes the
      // error handler answer 503 + Retry-After, which tells a load balancer to send work elsewhere.
      if (isDependencyDown(err)) throw err;
      request.log.error({ err }, 'readiness: database did not answer');
      throw new AppError('internal', 'Internal error');
    }
    return { status: 'ok' };
  });
}
