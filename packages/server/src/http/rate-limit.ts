import type { RateLimitRule } from '../config.js';

/** What @fastify/rate-limit is given for a rule the operator turned off (max 0): never reached. */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** A route's `config.rateLimit` for @fastify/rate-limit from one of our rules; max 0 means no limit. */
export function rateLimit(rule: RateLimitRule): { max: number; timeWindow: number } {
  return { max: rule.max === 0 ? UNLIMITED : rule.max, timeWindow: rule.windowMs };
}
