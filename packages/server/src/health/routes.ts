import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { App } from '../http/types.js';

/** Liveness and readiness for load balancers; hidden from the API description. */
export function healthRoutes(app: App, { db }: { db: Db }): void {
  app.get('/healthz', { schema: { hide: true }, config: { rateLimit: false } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { rateLimit: false } }, async (request) => {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      request.log.error({ err }, 'readiness: database did not answer');
      throw new AppError('internal', 'Internal error');
    }
    return { status: 'ok' };
  });
}
