/** A deterministic RandomSource for tests and vectors only: SHA-256(seed || counter) blocks. */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8, type RandomSource } from '../bytes.js';
import { u64 } from '../transcript.js';

export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += 32) out.set(sha256(concat(utf8(seed), u64(counter++))).subarray(0, Math.min(32, length - at)), at);
    return out;
  };
}
