/** Turns any failure into one sentence a person can act on. */
import { isApiError } from '@burrow/client';
import { isProtocolError } from '@burrow/protocol';
import { MicrophoneError } from './recorder.js';
import { t } from '../i18n/index.js';

/**
 * No answer from the server: only the browser knows whether its own network is down. When it is up,
 * the person's connection is not to blame, so do not send them to check it.
 */
function unreachable(): string {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  return offline ? t('errors.offline') : t('errors.unreachable');
}

/** The error body had a message written by the server, not just the HTTP status. */
function hasServerMessage(err: { message: string }): boolean {
  return err.message.trim() !== '' && !/^HTTP \d+$/.test(err.message);
}

export function describeError(err: unknown): string {
  if (isApiError(err)) {
    if (err.code === 'unreachable') return unreachable();
    if (err.status >= 500) return t('errors.server');
    // 429 and 413 carry the server's own sentence (how long to wait, how large is allowed), e.g. the
    // per-family message limit or the audio size limit; a bare status falls back to a generic one.
    if (err.status === 429 || err.code === 'rate_limited')
      return hasServerMessage(err) ? err.message : t('errors.tooMany');
    if (err.status === 413 || err.code === 'payload_too_large')
      return hasServerMessage(err) ? err.message : t('errors.tooLarge');
    // The server's 4xx messages are written for people (docs/api.md, "Errors").
    return err.message;
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
