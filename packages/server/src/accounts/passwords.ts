/**
 * Password hashing with argon2id (RFC 9106) at OWASP's minimum recommended parameters: m = 19 MiB,
 * t = 2, p = 1. @node-rs/argon2's async functions run on the libuv thread pool, off the event loop.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

const ARGON2ID = 2 as Algorithm;

export const argon2Params = Object.freeze({
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Params);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a failed check, never a crash that reveals which accounts exist.
    return false;
  }
}
