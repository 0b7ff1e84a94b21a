import { sql } from 'kysely';
import type { Bus } from '../bus/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { isDependencyDown } from '../errors/dependency-down.js';
import type { App } from '../http/types.js';

/**
 * Liveness and readiness for load balancers; hidden from the API description. A bus that cannot
 * reach NATS leaves the node ready (200) but says `degraded`: the node still serves and stores
 * every message, only wake-ups between nodes wait, and taking every node out of the balancer
 * during a NATS outage would turn a delay into an outage.
 */
export function healthRoutes(app: App, { db, bus }: { db: Db; bus?: Bus }): void {
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
    const busHealth = bus?.health?.();
    if (busHealth && !busHealth.ok) return { status: 'degraded', bus: busHealth.detail };
    return { status: 'ok' };
  });
}
