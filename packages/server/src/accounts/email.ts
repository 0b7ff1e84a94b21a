import { badRequest } from '../errors/index.js';

/** Deliberately loose (RFC 5321 limits, one "@", a dot in the domain): the mailbox is the real test. */
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * The one normalisation of an address (docs/privacy.md "Email addresses at rest"): trim, Unicode NFC
 * (so the same address typed on two keyboards is one account and one blind index), lower-case the
 * whole address. No provider rules (dots or "+tags" at one mail provider): they differ between
 * providers and change over time, and two addresses that reach one inbox stay two accounts.
 */
export function canonicalEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

/** Normalises (canonicalEmail), then checks the shape; throws bad_request with a clear message. */
export function normalizeEmail(raw: string): string {
  const email = canonicalEmail(raw);
  if (email.length > 254 || !EMAIL.test(email)) throw badRequest('email_invalid', 'That is not an email address.');
  return email;
}
