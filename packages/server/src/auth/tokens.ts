/**
 * Bearer tokens: 32 random bytes, base64url, with a prefix naming what they are (`bs_` session,
 * `bt_` toy) so a leaked token is recognisable by secret scanners. Only SHA-256 of a token is stored:
 * a stolen database holds nothing that signs anyone in.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_PREFIX = 'bs_';
export const TOY_PREFIX = 'bt_';

export function newSessionToken(): string {
  return SESSION_PREFIX + randomBytes(32).toString('base64url');
}

export function newToyToken(): string {
  return TOY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 16 random bytes, base64url: the shape of every server-made id. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
