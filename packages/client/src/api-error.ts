import { isRefusalReason, type RefusalReason } from '@burrow/api';

/** An error answer from the Burrow API, carrying the server's closed-set code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The server's Retry-After, in seconds, when it asked to be called again later (503, 429). */
    readonly retryAfterSeconds?: number,
    /**
     * Why it was refused, as a stable code an app can translate (`error.reason`, @burrow/api
     * REFUSALS), with the values its sentence names. Absent for 5xx, for answers with no JSON body,
     * and for a reason this client does not know (a newer server): show a generic sentence then.
     */
    readonly refusal?: { reason: RefusalReason; params: Readonly<Record<string, string | number>> },
  ) {
    super(message);
  }
}

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

/** The refusal of an error body, if it names one this client knows; its params kept only when well-formed. */
export function refusalOf(error: { reason?: unknown; params?: unknown } | undefined): ApiError['refusal'] {
  if (!isRefusalReason(error?.reason)) return undefined;
  const params: Record<string, string | number> = {};
  if (typeof error.params === 'object' && error.params !== null)
    for (const [key, value] of Object.entries(error.params))
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) params[key] = value;
  return { reason: error.reason, params };
}
