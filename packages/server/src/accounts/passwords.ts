/**
 * Password hashing with argon2id (RFC 9106) at the configured cost (BURROW_ARGON2_*, config.ts; by
 * default OWASP's minimum recommended parameters: m = 19 MiB, t = 2, p = 1), plus the server pepper
 * as argon2's secret input (pepper.ts). @node-rs/argon2's async
 * functions run on the libuv thread pool, off the event loop, at most ARGON2_SLOTS at once (argon2-slots.ts).
 *
 * `needsRehash` tells the sign-in path when a stored hash was made with other parameters or another
 * (or no) pepper: the password, just verified, is then hashed again with the current ones.
 */
import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { defaultArgon2, type Argon2Config } from '../config.js';
import type { Pepper } from './pepper.js';
import { normalizePassword } from './password-policy.js';
import { argon2Lane } from './argon2-slots.js';

const ARGON2ID = 2 as Algorithm;

/** The cost parameters of one argon2id hash, in @node-rs/argon2's names. */
export interface Argon2Costs {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** argon2id at the configured costs, as @node-rs/argon2 takes them. */
export function argon2ParamsOf(config: Argon2Config): Argon2Costs & { readonly algorithm: Algorithm } {
  return Object.freeze({
    algorithm: ARGON2ID,
    memoryCost: config.memoryKib,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  });
}

/** The production default (OWASP's minimum): what the tests of hashing itself use. */
export const argon2Params = argon2ParamsOf(defaultArgon2);

export interface StoredPassword {
  hash: string;
  /** null: hashed without a pepper. */
  pepperId: string | null;
  /**
   * Whose password it is, when the caller knows (sign-in, password change): a tripwire the check sets
   * off then names the account without looking the hash up among all accounts.
   */
  accountId?: string;
}

export interface PasswordHasher {
  /** The argon2id cost new hashes are made with (a decorator such as honeywords hashes at the same). */
  readonly params: Argon2Costs;
  hash(password: string): Promise<StoredPassword>;
  /**
   * `from`: the client address of the request checking it. The plain hasher ignores it; the
   * honeyword hasher (tripwires/honeywords.ts) names it in the alert a decoy or canary sets off.
   */
  verify(stored: StoredPassword, password: string, from?: { readonly ip: string }): Promise<boolean>;
  needsRehash(stored: StoredPassword): boolean;
}

export function createPasswordHasher(pepper: Pepper, params = argon2Params): PasswordHasher {
  return {
    params,
    async hash(password) {
      const h = await argon2Lane.run(() => hash(normalizePassword(password), { ...params, secret: pepper.secret }));
      return { hash: h, pepperId: pepper.id };
    },
    async verify(stored, password) {
      // A hash made with another pepper cannot be checked: it fails like a wrong password.
      if (stored.pepperId !== null && stored.pepperId !== pepper.id) return false;
      try {
        return await argon2Lane.run(() =>
          verify(stored.hash, normalizePassword(password), {
            ...(stored.pepperId === null ? {} : { secret: pepper.secret }),
          }),
        );
      } catch {
        // A malformed stored hash is a failed check, never a crash that reveals which accounts exist.
        return false;
      }
    },
    needsRehash(stored) {
      if (stored.pepperId !== pepper.id) return true;
      try {
        const o = parseOptions(stored.hash);
        return o.memoryCost !== params.memoryCost || o.timeCost !== params.timeCost || o.parallelism !== params.parallelism;
      } catch {
        return true;
      }
    },
  };
}
