/**
 * Builds the accounts capability from the config and ports, once per app: the pepper and the
 * argon2id hasher that uses it, the password policy (with the Pwned Passwords check when enabled),
 * the online-guessing throttle, session records, account mail and mailed links.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/load.js';
import type { Db } from '../db/index.js';
import type { Mailer } from '../mail/index.js';
import { createNotices, type Notices } from './notices.js';
import { createPasswordPolicy } from './password-policy.js';
import { argon2ParamsOf, createPasswordHasher, type PasswordHasher } from './passwords.js';
import { resolvePepper, type Pepper } from './pepper.js';
import { createPwnedPasswords } from './pwned.js';
import { createForcedResetGate } from '../incidents/forced-reset.js';
import { createShortPasswordGate } from './short-password.js';
import { createRecovery, type Recovery } from './recovery.js';
import { createAccounts, type Accounts } from './service.js';
import { createSessionStore, type SessionStore } from './sessions.js';
import { createPasskeys } from './passkeys.js';
import { createRecoveryCodes } from './recovery-codes.js';
import { createSecondFactors, type SecondFactors } from './second-factor.js';
import { createSecretBox } from './secret-box.js';
import { createSecurityEvents, type SecurityEvents } from './security-events.js';
import { createThrottle } from './throttle.js';
import { createTotp } from './totp.js';

export interface AccountsModule {
  accounts: Accounts;
  recovery: Recovery;
  sessions: SessionStore;
  notices: Notices;
  factors: SecondFactors;
  events: SecurityEvents;
}

/** Where mailed links point: BURROW_PUBLIC_URL, else this server on localhost (never the Host header). */
export function linkOrigin(config: Config): string {
  return config.accountSecurity.publicUrl ?? `${config.tls ? 'https' : 'http'}://localhost:${config.port}`;
}

export function createAccountsModule({
  config,
  db,
  clock,
  log,
  mailer,
  wrapHasher,
}: {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** Tripwires (tripwires/): stores honeywords beside each password and checks them with the honeychecker. */
  wrapHasher?: (inner: PasswordHasher, pepper: Pepper) => PasswordHasher;
}): AccountsModule {
  const pepper = resolvePepper({ config, log });
  const url = config.accountSecurity.pwnedPasswordsUrl;
  const inner = createPasswordHasher(pepper, argon2ParamsOf(config.argon2));
  const hasher = wrapHasher ? wrapHasher(inner, pepper) : inner;
  const policy = createPasswordPolicy({ pwned: url === null ? null : createPwnedPasswords({ baseUrl: url, log }) });
  const throttle = createThrottle({ db, clock });
  const sessions = createSessionStore({ db, clock });
  const notices = createNotices({ mailer, log });
  const events = createSecurityEvents({ db, clock });
  const codes = createRecoveryCodes({ db, clock, pepper });
  const totp = createTotp({ db, clock, box: createSecretBox(pepper, 'totp') });
  const passkeys = createPasskeys({ db, clock, box: createSecretBox(pepper, 'passkey-name') });
  const factors = createSecondFactors({ db, clock, log, hasher, notices, throttle, events, totp, passkeys, codes });
  const recovery = createRecovery({
    db,
    clock,
    log,
    hasher,
    policy,
    sessions,
    notices,
    throttle,
    linkOrigin: linkOrigin(config),
    factors,
    codes,
    events,
  });
  const accounts = createAccounts({
    db,
    clock,
    log,
    hasher,
    policy,
    sessions,
    notices,
    throttle,
    sendVerification: (accountId, email) => recovery.sendVerification(accountId, email),
    passwordResetGate: createForcedResetGate({ db, requestReset: (email, meta) => recovery.requestReset(email, meta) }),
    shortPasswordGate: createShortPasswordGate({ requestReset: (email, meta) => recovery.requestReset(email, meta) }),
    factors,
    codes,
    events,
  });
  return { accounts, recovery, sessions, notices, factors, events };
}
