/**
 * Whether a failure means a service this node depends on (PostgreSQL, the honeychecker service) is
 * not answering right now. Such a request is not the caller's fault and not a bug here: it is
 * answered 503 `unavailable` with Retry-After, so clients wait and try again instead of reporting
 * an internal error, and the log says which dependency failed without a stack trace.
 */

/** Socket-level failures of a connection to another service. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs for a server that is gone, starting or shutting down, or full: class 08
 * (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too many
 * connections).
 */
const POSTGRES_DOWN = /^(08...|57P0[123]|53300)$/;

/** How long a client is asked to wait before trying again. */
export const DEPENDENCY_RETRY_AFTER_S = 5;

export function isDependencyDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_DOWN.test(code))) return true;
    // node-postgres' pool and client say so only in words when the server went away mid-query.
    if (/^(Connection terminated|Client has encountered a connection error)/.test(e.message)) return true;
  }
  return false;
}
