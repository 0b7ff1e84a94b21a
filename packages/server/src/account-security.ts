/**
 * Builds the four account capabilities once per app, bottom up, and registers their routes:
 *
 * - accounts/        credentials (pepper, argon2id, password policy, guessing throttle), sign-up,
 *                    sign-in with a password, email verification, the security log and account mail;
 * - sessions/        session records: open, list, revoke, sign out;
 * - second-factors/  TOTP, passkeys, the pending second step of sign-in, a family's requirement;
 * - recovery/        recovery codes and password reset (mailed link or recovery code).
 *
 * Dependencies point down: sessions/, second-factors/ and recovery/ use accounts/' credentials and
 * security log; accounts/ reaches them only through the ports it declares (accounts/ports.ts),
 * which are filled in here. No capability imports another's routes.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock/index.js';
import type { CoreConfig } from './config.js';
import type { Db } from './db/index.js';
import type { SecondFactorGate } from './auth/index.js';
import type { App, RouteContext } from './http/types.js';
import { createForcedResetGate } from './incidents/forced-reset.js';
import type { Mailer } from './mail/index.js';
import { createCredentials, type Credentials } from './accounts/credentials.js';
import { createAccountLinks, linkOrigin } from './accounts/links.js';
import type { PasswordHasher } from './accounts/passwords.js';
import type { AccountEmails } from './accounts/email-store.js';
import type { Pepper } from './accounts/pepper.js';
import { accountsRoutes } from './accounts/routes.js';
import { createAccounts, type Accounts } from './accounts/service.js';
import { createShortPasswordGate } from './accounts/short-password.js';
import { createTelling, type Telling } from './accounts/telling.js';
import { createEmailVerification, type EmailVerification } from './accounts/verification.js';
import { createRecoveryCodes } from './recovery/recovery-codes.js';
import { recoveryRoutes } from './recovery/routes.js';
import { createRecovery, type Recovery } from './recovery/service.js';
import { createPasskeys } from './second-factors/passkeys.js';
import { secondFactorsRoutes } from './second-factors/routes.js';
import { createSecretBox } from './second-factors/secret-box.js';
import { createSecondFactorGate } from './second-factors/gate.js';
import { createSecondFactors, type SecondFactors } from './second-factors/service.js';
import { createTotp } from './second-factors/totp.js';
import { sessionsRoutes } from './sessions/routes.js';
import { createSessionStore, type SessionStore } from './sessions/store.js';

export interface AccountSecurity {
  credentials: Credentials;
  tell: Telling;
  accounts: Accounts;
  verification: EmailVerification;
  sessions: SessionStore;
  factors: SecondFactors;
  recovery: Recovery;
  /** The family-wide second-factor requirement the auth hooks enforce (second-factors/gate.ts). */
  secondFactorGate: SecondFactorGate;
}

export function createAccountSecurity({
  config,
  db,
  clock,
  log,
  mailer,
  wrapHasher,
  emails,
}: {
  config: CoreConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** Tripwires (tripwires/): stores honeywords beside each password and checks them with the honeychecker. */
  wrapHasher?: (inner: PasswordHasher, pepper: Pepper) => PasswordHasher;
  /** The app's one AccountEmails (app.ts); made from the pepper when absent. */
  emails?: AccountEmails;
}): AccountSecurity {
  const credentials = createCredentials({ config, db, clock, log, wrapHasher, emails });
  const tell = createTelling({ db, clock, log, mailer, emails: credentials.emails });
  const sessions = createSessionStore({ db, clock });
  const codes = createRecoveryCodes({ db, clock, pepper: credentials.pepper });
  const factors = createSecondFactors({
    db,
    clock,
    log,
    credentials,
    tell,
    factors: {
      totp: createTotp({ db, clock, box: createSecretBox(credentials.pepper, 'totp') }),
      passkeys: createPasskeys({ db, clock, box: createSecretBox(credentials.pepper, 'passkey-name') }),
      codes,
    },
  });
  const links = createAccountLinks({ db, clock, credentials, origin: linkOrigin(config) });
  const verification = createEmailVerification({ db, clock, credentials, links, notices: tell.notices });
  const recovery = createRecovery({
    db,
    clock,
    log,
    credentials,
    tell,
    neighbours: { links, sessions, codes, hasSecondFactor: (accountId) => factors.hasSecondFactor(accountId) },
  });
  const requestReset = (email: string, meta: { ip: string; userAgent: string | null }) => recovery.requestReset(email, meta);
  const accounts = createAccounts({
    db,
    clock,
    log,
    credentials,
    tell,
    flow: {
      sessions,
      secondFactor: factors,
      recoveryCodes: codes,
      sendVerification: (accountId, email) => verification.send(accountId, email),
      passwordResetGate: createForcedResetGate({ db, requestReset }),
      shortPasswordGate: createShortPasswordGate({ requestReset }),
    },
  });
  return { credentials, tell, accounts, verification, sessions, factors, recovery, secondFactorGate: createSecondFactorGate(db) };
}

/** Each account capability registers its own routes (a Fastify plugin: `app.register(accountSecurityRoutes, ...)`). */
// eslint-disable-next-line @typescript-eslint/require-await -- Fastify takes a plugin without a callback as async.
export async function accountSecurityRoutes(app: App, { config, tell, accounts, verification, sessions, factors, recovery }: RouteContext & AccountSecurity): Promise<void> {
  accountsRoutes(app, { config, accounts, verification, events: tell.events });
  sessionsRoutes(app, { config, sessions, tell });
  secondFactorsRoutes(app, { config, factors, finishSignIn: (accountId, meta, how) => accounts.finishSignIn(accountId, meta, how) });
  recoveryRoutes(app, { config, recovery });
}
