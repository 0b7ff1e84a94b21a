/**
 * The platform CSPRNG (crypto.getRandomValues, via noble) as a RandomSource. Functions in this package
 * take randomness as a parameter; callers pass this one, tests pass a seeded one.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import type { RandomSource } from './bytes.js';

export const secureRandom: RandomSource = (length) => {
  // noble caps a single call at 65536 bytes (getRandomValues' limit); ask in pieces.
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) out.set(randomBytes(Math.min(65536, length - at)), at);
  return out;
};
