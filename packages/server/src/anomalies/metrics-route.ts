/**
 * GET /metrics — Prometheus text for operators (docs/operations.md "Metrics"). Not part of the API
 * (hidden from /v1/openapi.json). With BURROW_METRICS_TOKEN set it needs `Authorization: Bearer
 * <token>`; without one it answers only connections from the loopback interface, and only when no
 * trusted proxy is configured (behind a proxy on the same host every client would look local).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../errors/index.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRoute(
  app: FastifyInstance,
  { token, trustProxy, collect }: { token: string | null; trustProxy: string | null; collect: () => string },
): void {
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (request, reply) => {
    if (token !== null) {
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(given), digest(token))) throw forbidden('operator_token_required', 'Metrics need Authorization: Bearer <BURROW_METRICS_TOKEN>.');
    } else if (trustProxy !== null || !LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      throw forbidden('operator_token_required', 'Metrics are served to loopback only; set BURROW_METRICS_TOKEN to read them from elsewhere.');
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(collect());
  });
}
