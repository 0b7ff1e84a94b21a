/**
 * Turns every failure into `{"error": {"code", "message"}}`. 4xx carry a clear sentence; anything
 * unexpected becomes a bare 500 and is logged here, server-side only, so no stack trace or internal
 * detail ever reaches a caller.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProtocolError } from '@burrow/protocol';
import type { RefusalReason } from '@burrow/api';
import { isAppError, refuse, type Refusal } from './app-error.js';
import { codeForStatus, errorStatus, type ErrorCode } from './codes.js';
import { DEPENDENCY_RETRY_AFTER_S, isDependencyDown } from './dependency-down.js';

/** docs/api.md, "Errors": `reason` (and `params` where its sentence names values) on every 4xx, never on a 5xx. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; reason?: RefusalReason; params?: Record<string, string | number> };
}

function body(code: ErrorCode, message: string, refusal?: Refusal): ErrorBody {
  if (refusal === undefined) return { error: { code, message } };
  return { error: { code, message, reason: refusal.reason, ...(refusal.params === undefined ? {} : { params: refusal.params }) } };
}

/** Fastify's own client errors whose messages are written for callers (FST_ERR_CTP_*, ...), and why. */
const fastifyMessages: Record<string, { message: string; reason: RefusalReason }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { message: 'The request body is too large.', reason: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { message: 'Unsupported content type.', reason: 'content_type_wrong' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { message: 'The JSON body is empty.', reason: 'json_invalid' },
  FST_ERR_CTP_INVALID_JSON_BODY: { message: 'The body is not valid JSON.', reason: 'json_invalid' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { message: 'Content-Length does not match the body.', reason: 'json_invalid' },
  FST_ERR_BAD_URL: { message: 'The URL is not valid (a broken percent-escape or byte sequence).', reason: 'url_invalid' },
  FST_ERR_MAX_PARAM_LENGTH: { message: 'A part of the URL is too long.', reason: 'url_invalid' },
};

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).statusCode === 'number';
}

/** Maps any thrown value to a status and a body; `internal` means the caller sees nothing of it. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; internal: boolean; retryAfterS?: number } {
  if (isAppError(err)) {
    const refusal = err.reason === undefined ? undefined : { reason: err.reason, ...(err.params === undefined ? {} : { params: err.params }) };
    return { status: err.status, body: body(err.code, err.message, refusal), internal: err.code === 'internal' };
  }
  // Malformed rosters, envelopes and codes are the caller's fault; protocol messages are terse by design.
  if (isProtocolError(err))
    return { status: 400, body: body('bad_request', err.message, { reason: 'protocol_rejected' }), internal: false };
  if (isFastifyError(err) && err.validation) {
    return { status: 400, body: body('bad_request', `Invalid request: ${err.message}.`, { reason: 'invalid_request' }), internal: false };
  }
  if (isFastifyError(err) && err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    const code = codeForStatus(err.statusCode);
    const known = fastifyMessages[err.code] ??
      (err instanceof SyntaxError
        ? { message: 'The body is not valid JSON.', reason: 'json_invalid' as const }
        : { message: 'The request was not understood.', reason: 'invalid_request' as const });
    return { status: errorStatus[code], body: body(code, known.message, { reason: known.reason }), internal: false };
  }
  if (isDependencyDown(err))
    return {
      status: errorStatus.unavailable,
      body: body('unavailable', `Burrow cannot reach a service it needs right now; try again in ${String(DEPENDENCY_RETRY_AFTER_S)} s.`),
      internal: false,
      retryAfterS: DEPENDENCY_RETRY_AFTER_S,
    };
  return { status: 500, body: body('internal', 'Internal error'), internal: true };
}

export function errorHandler(
  this: FastifyInstance,
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { status, body, internal, retryAfterS } = toErrorResponse(err);
  if (internal) request.log.error({ err }, 'request failed');
  else if (retryAfterS !== undefined) {
    // A dependency down is the operator's concern: said once per request, without a stack trace.
    request.log.warn({ code: (err as { code?: unknown }).code, message: (err as Error).message }, 'a dependency is not answering');
    void reply.header('retry-after', String(retryAfterS));
  } else request.log.info({ code: body.error.code, status }, 'request refused');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `frameworkErrors` option: what the router refuses before any route or hook runs (a
 * malformed percent-escape in the path, an over-long path parameter) gets the same error shape
 * instead of Fastify's own `{"error":"Bad Request","code":"FST_ERR_BAD_URL",...}`.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, internal } = toErrorResponse(err);
  if (internal) request.log.error({ err }, 'request failed before routing');
  else request.log.info({ code: body.error.code, status }, 'request refused before routing');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const err = refuse('not_found', 'no_route', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`);
  void reply.code(err.status).send(body(err.code, err.message, err.reason === undefined ? undefined : { reason: err.reason }));
}
