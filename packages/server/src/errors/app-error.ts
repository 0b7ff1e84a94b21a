import type { RefusalParams, RefusalReason, REFUSALS } from '@burrow/api';
import { errorStatus, type ErrorCode } from './codes.js';

/** Why a 4xx was answered: a stable code from @burrow/api's REFUSALS and the values it names. */
export interface Refusal {
  reason: RefusalReason;
  params?: Record<string, string | number>;
}

/** Codes that are never the caller's fault: they carry no reason (apps show one generic sentence). */
type ServerFault = 'internal' | 'unavailable';

/**
 * The one error type services throw. `message` is shown to the caller, so it must be a clear sentence
 * that reveals nothing the caller may not know. Every refusal (4xx) also names its `reason`, so apps
 * can say it in the person's language; the constructor's overloads make that a compile error to omit.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly reason: RefusalReason | undefined;
  readonly params: Record<string, string | number> | undefined;
  constructor(code: ServerFault, message: string);
  constructor(code: Exclude<ErrorCode, ServerFault>, message: string, refusal: Refusal);
  constructor(
    readonly code: ErrorCode,
    message: string,
    refusal?: Refusal,
  ) {
    super(message);
    this.reason = refusal?.reason;
    this.params = refusal?.params;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

/** Narrowing guard: `isAppError(err, 'conflict')`. */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A reason's params, required exactly when REFUSALS lists some for it. */
type ParamsOf<R extends RefusalReason> = (typeof REFUSALS)[R] extends readonly [] ? [] : [params: RefusalParams<R>];

/** `refusal('password_too_short', {min: 15, length: 13})` — the reason with its typed params. */
export function refusal<R extends RefusalReason>(reason: R, ...params: ParamsOf<R>): Refusal {
  const values = params[0] as Record<string, string | number> | undefined;
  return values === undefined ? { reason } : { reason, params: values };
}

/** A refusal with any 4xx code: `refuse('gone', 'invitation_used', 'That invitation was already used.')`. */
export const refuse = <R extends RefusalReason>(
  code: Exclude<ErrorCode, ServerFault>,
  reason: R,
  message: string,
  ...params: ParamsOf<R>
): AppError => new AppError(code, message, refusal(reason, ...params));

export const badRequest = <R extends RefusalReason>(reason: R, message: string, ...params: ParamsOf<R>): AppError =>
  refuse('bad_request', reason, message, ...params);
export const unauthenticated = <R extends RefusalReason>(reason: R, message: string, ...params: ParamsOf<R>): AppError =>
  refuse('unauthenticated', reason, message, ...params);
/** The plain "sign in first" refusal: no session, or one that names no account any more. */
export const signInFirst = (): AppError => unauthenticated('sign_in_required', 'Sign in first.');
export const forbidden = <R extends RefusalReason>(reason: R, message: string, ...params: ParamsOf<R>): AppError =>
  refuse('forbidden', reason, message, ...params);
export const notFound = <R extends RefusalReason>(reason: R, message: string, ...params: ParamsOf<R>): AppError =>
  refuse('not_found', reason, message, ...params);
export const conflict = <R extends RefusalReason>(reason: R, message: string, ...params: ParamsOf<R>): AppError =>
  refuse('conflict', reason, message, ...params);
