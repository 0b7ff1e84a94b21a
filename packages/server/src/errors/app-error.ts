import { errorStatus, type ErrorCode } from './codes.js';

/**
 * The one error type services throw. `message` is shown to the caller, so it must be a clear sentence
 * that reveals nothing the caller may not know.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

/** Narrowing guard: `isAppError(err, 'conflict')`. */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

export const badRequest = (message: string): AppError => new AppError('bad_request', message);
export const unauthenticated = (message = 'Sign in first.'): AppError =>
  new AppError('unauthenticated', message);
export const forbidden = (message: string): AppError => new AppError('forbidden', message);
export const notFound = (message: string): AppError => new AppError('not_found', message);
export const conflict = (message: string): AppError => new AppError('conflict', message);
