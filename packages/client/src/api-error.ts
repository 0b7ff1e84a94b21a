/** An error answer from the Burrow API, carrying the server's closed-set code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The server's Retry-After, in seconds, when it asked to be called again later (503, 429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}
