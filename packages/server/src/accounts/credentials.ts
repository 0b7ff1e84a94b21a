/**
 * The credential checks every account capability shares, built once per app from the config: the
 * pepper, the argon2id hasher that uses it (wrapped by the tripwires' honeywords when given), the
 * password policy (with the Pwned Passwords check when enabled), and the online-guessing throttle
 * with its rules.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { CoreConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { createAccountEmails, type AccountEmails } from './email-store.js';
import { createPasswordPolicy, type PasswordPolicy } from './password-policy.js';
import { argon2ParamsOf, createPasswordHasher, type PasswordHasher } from './passwords.js';
import { resolvePepper, type Pepper } from './pepper.js';
import { createPwnedPasswords } from './pwned.js';
import { createThrottle, defaultThrottleRules, type Throttle, type ThrottleRules } from './throttle.js';

export interface Credentials {
  pepper: Pepper;
  /** Email addresses at rest: sealed, found by a blind index (email-store.ts). */
  emails: AccountEmails;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  throttle: Throttle;
  rules: ThrottleRules;
}

export function createCredentials({
  config,
  db,
  clock,
  log,
  wrapHasher,
  emails,
}: {
  config: CoreConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Tripwires (tripwires/): stores honeywords beside each password and checks them with the honeychecker. */
  wrapHasher?: ((inner: PasswordHasher, pepper: Pepper) => PasswordHasher) | undefined;
  /** The app's one AccountEmails (made from the same pepper); made here when absent. */
  emails?: AccountEmails | undefined;
}): Credentials {
  const pepper = resolvePepper({ config, log });
  const url = config.accountSecurity.pwnedPasswordsUrl;
  const inner = createPasswordHasher(pepper, argon2ParamsOf(config.argon2));
  const hasher = wrapHasher ? wrapHasher(inner, pepper) : inner;
  const policy = createPasswordPolicy({ pwned: url === null ? null : createPwnedPasswords({ baseUrl: url, log }) });
  const addresses = emails ?? createAccountEmails(pepper);
  return { pepper, emails: addresses, hasher, policy, throttle: createThrottle({ db, clock, emails: addresses }), rules: defaultThrottleRules };
}
