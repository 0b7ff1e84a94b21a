/**
 * The closed set of error codes the API answers with, and the one place each is mapped to an HTTP
 * status (docs/api.md, "Errors").
 */
import { ERROR_CODES, type ErrorCode } from '@burrow/api';

export type { ErrorCode };

export const errorStatus = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** A retried send that had landed: the same message, delivered once (messages/service.ts). */
  already_sent: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A write's body still arriving at its deadline (http/body-deadline.ts); the connection is closed. */
  request_timeout: 408,
  rate_limited: 429,
  internal: 500,
  /** Back-pressure: the node is saturated; the answer carries Retry-After (http/admission.ts). */
  unavailable: 503,
} as const satisfies Record<ErrorCode, number>;

/** The codes of the wire contract (@burrow/api); `errorStatus` must map every one of them. */
export const errorCodes: readonly ErrorCode[] = ERROR_CODES;

/** The code for a status Fastify or a plugin chose; unknown 4xx become bad_request, 5xx internal. */
export function codeForStatus(status: number): ErrorCode {
  const hit = errorCodes.find((c) => errorStatus[c] === status);
  if (hit) return hit;
  return status >= 400 && status < 500 ? 'bad_request' : 'internal';
}
