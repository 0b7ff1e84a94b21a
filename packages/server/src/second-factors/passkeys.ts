/**
 * Passkeys (WebAuthn Level 3) with @simplewebauthn/server: registration while signed in, and
 * sign-in without a password using discoverable credentials (the browser offers the passkeys it
 * holds for this site; no email is typed). Challenges are made and kept server-side, single use
 * (deleted when redeemed) and valid for 5 minutes. User verification (a PIN or biometric on the
 * device) is required, so a passkey is a multi-factor authenticator on its own (SP 800-63B §3.1.7).
 * Only the credential's public key, its signature counter and transports are stored.
 *
 * The relying party (RP ID and origin) comes from BURROW_PUBLIC_URL; when unset (development, tests),
 * from the origin the request was made to, as the Origin check does (security-headers).
 */
import { randomBytes } from 'node:crypto';
import type * as WebAuthn from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../clock/index.js';
import type { Db, WebauthnChallengePurpose } from '../db/index.js';
import { badRequest, notFound, unauthenticated } from '../errors/index.js';
import { newId } from '../auth/index.js';
import type { SecretBox } from './secret-box.js';

/**
 * @simplewebauthn/server (with its ASN.1 and COSE stack, about 200 modules) is loaded at the first
 * ceremony, not at start-up: loading it cost every process that builds the app about a CPU-second,
 * and most of them (a test file's server, a CLI command) never see a passkey.
 */
let webauthn: Promise<typeof WebAuthn> | undefined;
const loadWebAuthn = (): Promise<typeof WebAuthn> => (webauthn ??= import('@simplewebauthn/server'));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const PASSKEY_NAME_MAX = 60;
const RP_NAME = 'Burrow';
const BAD_PASSKEY = 'That passkey could not be checked. Try again, or sign in with your password.';

export interface RelyingParty {
  id: string;
  origin: string;
}

export interface PasskeyView {
  passkeyId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface Passkeys {
  registrationOptions(
    accountId: string,
    email: string,
    rp: RelyingParty,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }>;
  register(
    accountId: string,
    input: { challengeId: string; response: RegistrationResponseJSON; name?: string | undefined },
    rp: RelyingParty,
  ): Promise<PasskeyView>;
  /** Options for a sign-in: usernameless (accountId null) or for one account's passkeys (second step). */
  authenticationOptions(
    accountId: string | null,
    rp: RelyingParty,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>;
  /** Verifies an assertion; returns the account and the passkey's name. Throws 401 otherwise. */
  authenticate(
    input: { challengeId: string; response: AuthenticationResponseJSON },
    rp: RelyingParty,
    accountId: string | null,
  ): Promise<{ accountId: string; name: string }>;
  list(accountId: string): Promise<PasskeyView[]>;
  rename(accountId: string, passkeyId: string, name: string): Promise<string>;
  /** Removes it; returns the name it had. */
  remove(accountId: string, passkeyId: string): Promise<string>;
  count(accountId: string): Promise<number>;
}

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function cleanName(name: string | undefined, fallback: string): string {
  // Control characters would garble the Security page and notice mails.
  const trimmed = (name ?? '')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, PASSKEY_NAME_MAX);
  return trimmed === '' ? fallback : trimmed;
}

/**
 * A passkey's name is the user's own words ("Grandma's iPad") and may name a person, so it is
 * sealed at rest like a TOTP seed (bound to the passkey's id): a database dump holds no names.
 */
export function createPasskeys({ db, clock, box }: { db: Db; clock: Clock; box: SecretBox }): Passkeys {
  const sealName = (passkeyId: string, name: string) => box.seal(encoder.encode(name), passkeyId);
  const openName = (passkeyId: string, sealed: string): string => {
    try {
      return decoder.decode(box.open(sealed, passkeyId));
    } catch {
      // Sealed under an earlier pepper: the passkey still works, only its name is lost.
      return 'Passkey';
    }
  };

  async function saveChallenge(
    challenge: string,
    purpose: WebauthnChallengePurpose,
    accountId: string | null,
  ): Promise<string> {
    const now = clock.now();
    // Expired challenges are swept as new ones are made (they are useless after 5 minutes anyway).
    await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
    const id = newId();
    await db
      .insertInto('webauthn_challenges')
      .values({ id, challenge, purpose, account_id: accountId, expires_at: now + CHALLENGE_TTL_MS })
      .execute();
    return id;
  }

  /** Deletes the challenge (single use) and returns it if it was unexpired and of this purpose and account. */
  async function takeChallenge(
    id: string,
    purpose: WebauthnChallengePurpose,
    accountId: string | null,
  ): Promise<string | null> {
    const row = await db
      .deleteFrom('webauthn_challenges')
      .where('id', '=', id)
      .returning(['challenge', 'purpose', 'account_id', 'expires_at'])
      .executeTakeFirst();
    if (!row || row.purpose !== purpose || row.account_id !== accountId || row.expires_at <= clock.now())
      return null;
    return row.challenge;
  }

  const views = (
    rows: { id: string; name_ciphertext: string; created_at: number; last_used_at: number | null }[],
  ): PasskeyView[] =>
    rows.map((r) => ({
      passkeyId: r.id,
      name: openName(r.id, r.name_ciphertext),
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
    }));

  return {
    async registrationOptions(accountId, email, rp) {
      const existing = await db
        .selectFrom('passkeys')
        .select(['credential_id', 'transports'])
        .where('account_id', '=', accountId)
        .execute();
      const options = await (await loadWebAuthn()).generateRegistrationOptions({
        rpName: RP_NAME,
        rpID: rp.id,
        userName: email,
        // The WebAuthn user handle is the account id: it names no one and lets a discoverable
        // credential say whose it is.
        userID: new Uint8Array(Buffer.from(accountId, 'utf8')),
        challenge: new Uint8Array(randomBytes(32)),
        attestationType: 'none',
        excludeCredentials: existing.map((c) => ({
          id: c.credential_id,
          ...(c.transports ? { transports: JSON.parse(c.transports) as string[] } : {}),
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      return { challengeId: await saveChallenge(options.challenge, 'register', accountId), options };
    },

    async register(accountId, input, rp) {
      const challenge = await takeChallenge(input.challengeId, 'register', accountId);
      if (challenge === null) throw badRequest('passkey_request_expired', 'The passkey request expired. Start again.');
      let verified;
      try {
        verified = await (await loadWebAuthn()).verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
        });
      } catch {
        throw badRequest('passkey_not_verified',
          'The passkey could not be registered: the browser’s answer did not check out. Try again.',
        );
      }
      if (!verified.verified) throw badRequest('passkey_not_verified', 'The passkey could not be registered. Try again.');
      const { credential } = verified.registrationInfo;
      const taken = await db
        .selectFrom('passkeys')
        .select('id')
        .where('credential_id', '=', credential.id)
        .executeTakeFirst();
      if (taken) throw badRequest('passkey_exists', 'That passkey is already registered.');
      const id = newId();
      const row = {
        id,
        credential_id: credential.id,
        account_id: accountId,
        public_key: toB64(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ? JSON.stringify(credential.transports) : null,
        name_ciphertext: sealName(id, cleanName(input.name, 'Passkey')),
        created_at: clock.now(),
        last_used_at: null,
      };
      await db.insertInto('passkeys').values(row).execute();
      return views([row])[0]!;
    },

    async authenticationOptions(accountId, rp) {
      const allow =
        accountId === null
          ? undefined
          : (
              await db
                .selectFrom('passkeys')
                .select(['credential_id', 'transports'])
                .where('account_id', '=', accountId)
                .execute()
            ).map((c) => ({
              id: c.credential_id,
              ...(c.transports ? { transports: JSON.parse(c.transports) as string[] } : {}),
            }));
      const options = await (await loadWebAuthn()).generateAuthenticationOptions({
        rpID: rp.id,
        challenge: new Uint8Array(randomBytes(32)),
        userVerification: 'required',
        ...(allow ? { allowCredentials: allow } : {}),
      });
      const purpose = accountId === null ? 'sign_in' : 'second_factor';
      return { challengeId: await saveChallenge(options.challenge, purpose, accountId), options };
    },

    async authenticate(input, rp, accountId) {
      const challenge = await takeChallenge(
        input.challengeId,
        accountId === null ? 'sign_in' : 'second_factor',
        accountId,
      );
      if (challenge === null) throw unauthenticated('passkey_request_expired', 'The passkey request expired. Try again.');
      const row = await db
        .selectFrom('passkeys')
        .select(['id', 'account_id', 'public_key', 'counter', 'transports', 'name_ciphertext', 'credential_id'])
        .where('credential_id', '=', input.response.id)
        .executeTakeFirst();
      if (!row || (accountId !== null && row.account_id !== accountId)) throw unauthenticated('passkey_wrong', BAD_PASSKEY);
      // A discoverable credential names its user: it must be the account the passkey belongs to.
      const handle = input.response.response.userHandle;
      if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== row.account_id)
        throw unauthenticated('passkey_wrong', BAD_PASSKEY);
      let verified;
      try {
        verified = await (await loadWebAuthn()).verifyAuthenticationResponse({
          response: input.response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
          credential: {
            id: row.credential_id,
            publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
            counter: row.counter,
            ...(row.transports ? { transports: JSON.parse(row.transports) as string[] } : {}),
          },
        });
      } catch {
        throw unauthenticated('passkey_wrong', BAD_PASSKEY);
      }
      if (!verified.verified) throw unauthenticated('passkey_wrong', BAD_PASSKEY);
      // The library refuses a counter that went backwards (a cloned authenticator); store the new one.
      await db
        .updateTable('passkeys')
        .set({ counter: verified.authenticationInfo.newCounter, last_used_at: clock.now() })
        .where('id', '=', row.id)
        .execute();
      return { accountId: row.account_id, name: openName(row.id, row.name_ciphertext) };
    },

    async list(accountId) {
      const rows = await db
        .selectFrom('passkeys')
        .select(['id', 'name_ciphertext', 'created_at', 'last_used_at'])
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .execute();
      return views(rows);
    },

    async rename(accountId, passkeyId, name) {
      const clean = cleanName(name, '');
      if (clean === '') throw badRequest('passkey_name_required', 'Give the passkey a name, such as “My phone”.');
      const result = await db
        .updateTable('passkeys')
        .set({ name_ciphertext: sealName(passkeyId, clean) })
        .where('id', '=', passkeyId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('passkey_not_found', 'No such passkey.');
      return clean;
    },

    async remove(accountId, passkeyId) {
      const row = await db
        .deleteFrom('passkeys')
        .where('id', '=', passkeyId)
        .where('account_id', '=', accountId)
        .returning('name_ciphertext')
        .executeTakeFirst();
      if (!row) throw notFound('passkey_not_found', 'No such passkey.');
      return openName(passkeyId, row.name_ciphertext);
    },

    async count(accountId) {
      const row = await db
        .selectFrom('passkeys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** Deletes an account's passkeys and its open WebAuthn challenges (account deletion, erasure/). */
export async function deletePasskeysOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('account_id', '=', accountId).execute();
  await db.deleteFrom('passkeys').where('account_id', '=', accountId).execute();
}
