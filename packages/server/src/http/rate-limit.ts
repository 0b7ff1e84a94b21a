import type { RateLimitRule } from '../config.js';

/** A route's `config.rateLimit` for @fastify/rate-limit from one of our rules. */
export function rateLimit(rule: RateLimitRule): { max: number; timeWindow: number } {
  return { max: rule.max, timeWindow: rule.windowMs };
}
