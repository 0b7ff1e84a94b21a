/**
 * Invitation codes: 20 Crockford base32 characters (100 bits), shown as four groups of five and put
 * in a link's fragment (`/join#CODE`) so it never reaches a server log. Only SHA-256 of the
 * normalized code is stored. Typing is forgiving as with pairing codes: case, spaces and dashes are
 * ignored, O reads as 0, I and L as 1.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 20;

export function newInvitationCode(): string {
  const bytes = randomBytes(LENGTH);
  // 256 is a multiple of 32, so `b % 32` is uniform.
  const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

/** The canonical form of a typed code, or null if it cannot be one. */
export function normalizeInvitationCode(text: string): string | null {
  const s = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== LENGTH || [...s].some((c) => !ALPHABET.includes(c))) return null;
  return s;
}

export function hashInvitationCode(normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex');
}
