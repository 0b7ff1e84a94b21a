import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import type { AuthHooks } from './hooks.js';
import type { AuthKind } from './principal.js';

/** OpenAPI security requirements per auth kind (schemes declared in app.ts). */
const security: Record<AuthKind, Record<string, string[]>[]> = {
  account: [{ session: [] }],
  accountDevice: [{ session: [] }],
  toy: [{ toy: [] }],
  device: [{ session: [] }, { toy: [] }],
  accountOrToy: [{ session: [] }, { toy: [] }],
};

/**
 * Adds each route's auth hook (from `config.auth`) as its last onRequest hook, and its security
 * requirement to the API description. Registered after the rate limiter, so a flood of
 * unauthenticated requests is counted and refused before it reaches the session lookup.
 */
export function registerAuth(app: FastifyInstance, hooks: AuthHooks): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const kind = route.config?.auth;
    if (kind === undefined) return;
    const hook = hooks[kind] as unknown as onRequestHookHandler;
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
    if (route.schema) route.schema = { ...route.schema, security: security[kind] };
  });
}
