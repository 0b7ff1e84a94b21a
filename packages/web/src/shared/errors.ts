/** Turns any failure into one sentence a person can act on. */
import type { RefusalReason } from '@burrow/api';
import { isApiError } from '@burrow/client';
import { isProtocolError } from '@burrow/protocol';
import { MicrophoneError } from './recorder.js';
import { currentLanguage, t } from '../i18n/index.js';

/**
 * No answer from the server: only the browser knows whether its own network is down. When it is up,
 * the person's connection is not to blame, so do not send them to check it.
 */
function unreachable(): string {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  return offline ? t('errors.offline') : t('errors.unreachable');
}

/**
 * An error whose message is already written for the person, in the app's language (e.g. a refusal
 * the app explains better in its own context): shown as it is.
 */
export class ShownError extends Error {
  override readonly name = 'ShownError';
}

/** How long to wait, as the app's language says it: "45 seconds", "15 Minuten" (Intl's unit names). */
function formatWait(seconds: number): string {
  const minutes = seconds >= 90;
  return new Intl.NumberFormat(currentLanguage(), { style: 'unit', unit: minutes ? 'minute' : 'second', unitDisplay: 'long' }).format(
    minutes ? Math.ceil(seconds / 60) : Math.max(1, Math.ceil(seconds)),
  );
}

/** The sentence for a refusal the server named a reason for, in the app's language. */
function refusalText(reason: RefusalReason, params: Readonly<Record<string, string | number>>): string {
  const values: Record<string, string | number> = { ...params };
  // A throttle's wait can be 15 minutes: said in minutes, not "900 s".
  if (typeof values.seconds === 'number') values.seconds = formatWait(values.seconds);
  return t(`refusals.${reason}`, values);
}

/**
 * A refusal without a reason this app knows (an older server, a proxy's bare status, or a reason a
 * newer server added): a generic sentence by status, never the server's English in another language.
 */
function refusedByStatus(status: number): string {
  switch (status) {
    case 401:
      return t('errors.signInAgain');
    case 403:
      return t('errors.notAllowed');
    case 404:
      return t('errors.notFound');
    case 413:
      return t('errors.tooLarge');
    case 429:
      return t('errors.tooMany');
    default:
      return t('errors.refused');
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ShownError) return err.message;
  if (isApiError(err)) {
    if (err.code === 'unreachable') return unreachable();
    if (err.status >= 500) return t('errors.server');
    // Every refusal the server sends names its reason (docs/api.md, "Errors"); the app says it in
    // the person's language, with the values (minimum length, how long to wait) the server gave.
    if (err.refusal) return refusalText(err.refusal.reason, err.refusal.params);
    return refusedByStatus(err.status);
  }
  if (isProtocolError(err)) {
    switch (err.code) {
      case 'bad_pairing_code':
        return t('errors.badPairingCode');
      case 'bad_pairing_tag':
        return t('errors.badPairingTag');
      case 'not_authorized':
        return t('errors.notAuthorized');
      default:
        return t('errors.securityCheck');
    }
  }
  if (err instanceof MicrophoneError) return err.message;
  // fetch rejects with a TypeError when no answer came at all.
  if (err instanceof TypeError) return unreachable();
  return t('errors.generic');
}
