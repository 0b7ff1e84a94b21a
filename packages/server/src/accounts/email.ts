import { badRequest } from '../errors/index.js';

/** Deliberately loose (RFC 5321 limits, one "@", a dot in the domain): the mailbox is the real test. */
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/** Trims and lowercases, then checks the shape; throws bad_request with a clear message. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badRequest('That is not an email address.');
  return email;
}
