/**
 * Honeywords (Juels & Rivest, "Honeywords: Making Password-Cracking Detectable", CCS 2013) as a
 * decorator of the accounts' PasswordHasher: every path that stores a password (sign-up, change,
 * reset, the transparent rehash at sign-in) stores a *sweetword set* — the real password and k-1
 * decoys (decoys.ts), in a random order — and every path that checks one consults the
 * honeychecker, which alone knows the real index.
 *
 * **Storage.** A set is one argon2id PHC string in `accounts.password_hash`, so nothing else in the
 * schema changes and tools that parse the column keep working:
 *
 *     $argon2id$v=19$m=19456,t=2,p=1$<salt>$<h_0 ‖ h_1 ‖ … ‖ h_{k-1}>
 *
 * The k sweetwords share the salt; h_i = argon2id(sweetword_i, salt, secret = pepper), 32 bytes
 * each, concatenated. A plain hash (one 32-byte output) is a legacy record and gets a set at its
 * next successful sign-in (`needsRehash`). The set's id, for the honeychecker, is its salt.
 *
 * **Cost.** Storing costs k argon2id hashes (run concurrently on the libuv pool). Checking costs
 * ONE: the candidate is hashed once with the set's salt and compared to all k hashes in constant
 * time (every comparison runs; no early exit), then the honeychecker is asked about the index
 * (also when nothing matched, with a dummy index, so a match and a miss take the same path).
 *
 * **Verdicts.** No match: wrong password. Match + honeychecker says real: right password. Match +
 * decoy: the hashes were stolen and cracked — the sign-in is refused exactly like a wrong password
 * and the tripwire fires. A canary account's set (the honeychecker marks it) never signs in; any
 * attempt fires. If the honeychecker has no record of the set (its store was lost or replaced), a
 * match is accepted, the set is re-made at once (`needsRehash`), and the operator is told.
 *
 * Tripwire reports are not awaited: a decoy must answer as fast as a wrong password.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';
import { argon2Lane, argon2Params, normalizePassword, type Argon2Costs, type Pepper, type PasswordHasher, type StoredPassword } from '../accounts/index.js';
import type { Honeychecker } from '../honeychecker/index.js';
import { decoysFor } from './decoys.js';

const HASH_LEN = 32;
const SALT_LEN = 16;

export type { Argon2Costs } from '../accounts/index.js';

export interface SweetwordSet {
  salt: Buffer;
  hashes: Buffer[];
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** A sweetword check worth an alert; `accountId` when the caller said whose password it checked. */
export type SweetwordEvent = {
  kind: 'decoy' | 'canary-password' | 'canary-attempt' | 'unknown-set';
  passwordHash: string;
  accountId: string | null;
  /** The client address of the request that made the check, when the caller gave it. */
  ip: string | null;
};

const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

export function encodeSet(set: SweetwordSet): string {
  return `$argon2id$v=19$m=${String(set.memoryCost)},t=${String(set.timeCost)},p=${String(set.parallelism)}$${b64(set.salt)}$${b64(Buffer.concat(set.hashes))}`;
}

/** The set a PHC string holds, or null when it is a plain (single) argon2id hash or unparseable. */
export function decodeSet(phc: string): SweetwordSet | null {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  if (!m?.[4] || !m[5]) return null;
  const all = Buffer.from(m[5], 'base64');
  if (all.length <= HASH_LEN || all.length % HASH_LEN !== 0) return null;
  const hashes: Buffer[] = [];
  for (let i = 0; i < all.length; i += HASH_LEN) hashes.push(all.subarray(i, i + HASH_LEN));
  return {
    salt: Buffer.from(m[4], 'base64'),
    hashes,
    memoryCost: Number(m[1]),
    timeCost: Number(m[2]),
    parallelism: Number(m[3]),
  };
}

/** The honeychecker's name for a set: its salt (unique per set, random). */
export const setIdOf = (set: SweetwordSet): string => set.salt.toString('base64url');

export interface HoneywordOptions {
  inner: PasswordHasher;
  pepper: Pepper;
  honeychecker: Honeychecker;
  /** Sweetwords per set (1 real + k-1 decoys). k = 1: plain hashes, no honeywords. */
  k: number;
  /** Told (not awaited) when a tripwire fires. */
  onEvent: (event: SweetwordEvent) => void;
  /** argon2id costs (default: the inner hasher's, i.e. the configured BURROW_ARGON2_* costs). */
  params?: Argon2Costs;
}

export interface HoneywordHasher extends PasswordHasher {
  /**
   * Stores these sweetwords with `realIndex` the real one (hash() does this with generated decoys).
   * For drills and tests that need to know a decoy: a real decoy is never known to anyone.
   */
  hashSweetwords(sweetwords: string[], realIndex: number): Promise<StoredPassword>;
  /** Makes a set whose every sweetword is random and high-entropy, marked as a canary's. */
  hashCanary(password: string): Promise<StoredPassword>;
}

export function createHoneywordHasher({
  inner,
  pepper,
  honeychecker,
  k,
  onEvent,
  params = inner.params,
}: HoneywordOptions): HoneywordHasher {
  // Sets the honeychecker did not know at the last check: re-made at the next opportunity.
  const unknownSets = new Set<string>();

  // Through the process's argon2id lane (accounts/argon2-slots.ts): a set's k hashes queue there.
  const raw = (password: string, salt: Buffer, p: Argon2Costs) =>
    argon2Lane.run(() => hashRaw(normalizePassword(password), {
      algorithm: argon2Params.algorithm,
      memoryCost: p.memoryCost,
      timeCost: p.timeCost,
      parallelism: p.parallelism,
      outputLen: HASH_LEN,
      salt,
      secret: pepper.secret,
    }));

  async function makeSet(
    sweetwords: string[],
    realIndex: number,
  ): Promise<{ stored: StoredPassword; setId: string }> {
    const salt = randomBytes(SALT_LEN);
    const hashes = await Promise.all(sweetwords.map((s) => raw(s, salt, params)));
    const set: SweetwordSet = {
      salt,
      hashes,
      memoryCost: params.memoryCost,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
    };
    const setId = setIdOf(set);
    await honeychecker.set(setId, realIndex);
    return { stored: { hash: encodeSet(set), pepperId: pepper.id }, setId };
  }

  /** The real password at a random index among its decoys (Fisher-Yates with a CSPRNG). */
  function shuffled(password: string, n: number): { sweetwords: string[]; realIndex: number } {
    const sweetwords = [password, ...decoysFor(password, n - 1)];
    for (let i = sweetwords.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [sweetwords[i], sweetwords[j]] = [sweetwords[j] ?? '', sweetwords[i] ?? ''];
    }
    return { sweetwords, realIndex: sweetwords.indexOf(password) };
  }

  return {
    params,
    async hash(password) {
      if (k <= 1) return inner.hash(password);
      const { sweetwords, realIndex } = shuffled(password, k);
      return (await makeSet(sweetwords, realIndex)).stored;
    },

    async hashSweetwords(sweetwords, realIndex) {
      if (sweetwords.length < 2 || new Set(sweetwords).size !== sweetwords.length || !sweetwords[realIndex])
        throw new Error('A sweetword set needs at least two distinct sweetwords and a valid real index.');
      return (await makeSet(sweetwords, realIndex)).stored;
    },

    async hashCanary(password) {
      // A set even when honeywords are off (k = 1): the sign-in check needs one to see the canary.
      const { sweetwords, realIndex } = shuffled(password, Math.max(k, 2));
      const { stored, setId } = await makeSet(sweetwords, realIndex);
      await honeychecker.addCanary({ kind: 'set', id: setId });
      return stored;
    },

    async verify(stored, password, from) {
      const set = decodeSet(stored.hash);
      if (!set) return inner.verify(stored, password);
      if (stored.pepperId !== pepper.id) return false;
      const setId = setIdOf(set);
      let candidate: Buffer;
      try {
        candidate = await raw(password, set.salt, set);
      } catch {
        return false;
      }
      let match = -1;
      for (let i = 0; i < set.hashes.length; i++) {
        const h = set.hashes[i];
        // Every comparison runs, so the time does not say where (or whether) a match was.
        if (h && timingSafeEqual(h, candidate) && match === -1) match = i;
      }
      // Asked even without a match (-1), so the time does not tell; a honeychecker service raises its
      // own alarm only for a decoy index actually matched, never for a wrong password.
      const verdict = await honeychecker.check(setId, match);
      const canary = honeychecker.isCanary('set', setId);
      const about = { passwordHash: stored.hash, accountId: stored.accountId ?? null, ip: from?.ip ?? null };
      if (canary) {
        onEvent({ kind: match === -1 ? 'canary-attempt' : 'canary-password', ...about });
        return false;
      }
      if (match === -1) return false;
      if (verdict === 'real') return true;
      if (verdict === 'decoy') {
        onEvent({ kind: 'decoy', ...about });
        return false;
      }
      unknownSets.add(stored.hash);
      onEvent({ kind: 'unknown-set', ...about });
      return true;
    },

    needsRehash(stored) {
      const set = decodeSet(stored.hash);
      if (!set) return k > 1 || inner.needsRehash(stored);
      if (unknownSets.delete(stored.hash)) return true;
      return (
        stored.pepperId !== pepper.id ||
        set.hashes.length !== k ||
        set.memoryCost !== params.memoryCost ||
        set.timeCost !== params.timeCost ||
        set.parallelism !== params.parallelism
      );
    },
  };
}
