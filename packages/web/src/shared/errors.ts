/** Turns any failure into one sentence a person can act on. */
import { isApiError } from '@burrow/client';
import { isProtocolError } from '@burrow/protocol';
import { MicrophoneError } from './recorder.js';

/**
 * No answer from the server: only the browser knows whether its own network is down. When it is up,
 * the person's connection is not to blame, so do not send them to check it.
 */
function unreachable(): string {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  return offline
    ? 'This device is offline. Check your internet connection and try again.'
    : 'Cannot reach the Burrow server right now. Your internet connection looks fine; please try again in a moment.';
}

/** The error body had a message written by the server, not just the HTTP status. */
function hasServerMessage(err: { message: string }): boolean {
  return err.message.trim() !== '' && !/^HTTP \d+$/.test(err.message);
}

export function describeError(err: unknown): string {
  if (isApiError(err)) {
    if (err.code === 'unreachable') return unreachable();
    if (err.status >= 500) return 'Something went wrong on the Burrow server. Please try again in a moment.';
    // 429 and 413 carry the server's own sentence (how long to wait, how large is allowed), e.g. the
    // per-family message limit or the audio size limit; a bare status falls back to a generic one.
    if (err.status === 429 || err.code === 'rate_limited')
      return hasServerMessage(err) ? err.message : 'Too many tries in a short time. Wait a minute, then try again.';
    if (err.status === 413 || err.code === 'payload_too_large')
      return hasServerMessage(err) ? err.message : 'That recording is too large to send. Record a shorter one.';
    // The server's 4xx messages are written for people (docs/api.md, "Errors").
    return err.message;
  }
  if (isProtocolError(err)) {
    switch (err.code) {
      case 'bad_pairing_code':
        return 'That code does not look right. It has 18 letters and numbers, like ABC123-DEFG-HJKM-NPQR.';
      case 'bad_pairing_tag':
        return 'The code does not match the toy that answered. Check the code on the toy and type it again.';
      case 'not_authorized':
        return 'This browser is not allowed to do that in this family.';
      default:
        return 'A message or roster failed its security check and was not used.';
    }
  }
  if (err instanceof MicrophoneError) return err.message;
  // fetch rejects with a TypeError when no answer came at all.
  if (err instanceof TypeError) return unreachable();
  return 'Something went wrong. Please try again.';
}
