/**
 * Plants the canaries: accounts no person uses, and one canary family with a guardian device, a
 * toy, a sealed child profile and a sealed voice message with its blob. Every row is made as the
 * real code paths make them (argon2id sweetword sets, signed rosters, HPKE-sealed envelopes from
 * @burrow/protocol) and written through the owners of the family tables (devices/, families/,
 * toys/, messages/ store modules), so a copy of the database cannot tell them apart from families
 * and a new column cannot either (canary-likeness.test.ts checks it column by column). Which rows
 * are canaries is recorded only in the honeychecker.
 *
 * Idempotent: run at every start; it plants only what is missing (a restore into an empty database
 * replants). The number of canary accounts grows slowly with the number of real ones, so canaries
 * are not all "the first accounts ever made".
 *
 * Canary passwords are 192 random bits, used once to hash and then forgotten: nobody can sign in
 * as a canary except someone who cracked its hash (and cracking 192 bits is not possible, so in
 * practice a canary password proves the set's decoys or the argon2 output leaked with the secret).
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  blobHash,
  generateDeviceKeys,
  generatePairingCode,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  pairingKey,
  rosterEntry,
  rosterHash,
  rosterTag,
  sealEnvelope,
  secureRandom,
  signRoster,
  toBase64url,
  toyKeysTag,
} from '@burrow/protocol';
import type { Logger } from 'pino';
import { hashToken, newId, newToyToken } from '../auth/index.js';
import type { AccountEmails } from '../accounts/index.js';
import { browserHash, insertAccount, rememberBrowser } from '../accounts/store.js';
import type { Blobs } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { assignToyToFamily, insertPersonDevice, insertToyDevice } from '../devices/store.js';
import { syncMembers } from '../families/rosters.js';
import { existingFamilies, insertChild, insertFamily, insertRoster } from '../families/store.js';
import { blobKey as blobKeyOf, insertBlob, insertMessage } from '../messages/store.js';
import { closePairingWindow, openPairingWindow, PAIRING_WINDOW_MS } from '../toys/store.js';
import type { Honeychecker } from '../honeychecker/index.js';
import type { HoneywordHasher } from './honeywords.js';

const FIRST = [
  'emma',
  'olivia',
  'noah',
  'liam',
  'sofia',
  'mia',
  'lucas',
  'hannah',
  'jonas',
  'clara',
  'maya',
  'leo',
  'ella',
  'samuel',
  'nora',
  'david',
  'anna',
  'julia',
  'oscar',
  'ruth',
  'peter',
  'grace',
  'ivan',
  'lea',
  'tom',
  'rosa',
];
const LAST = [
  'larsen',
  'meyer',
  'garcia',
  'novak',
  'kowalski',
  'brown',
  'rossi',
  'dubois',
  'jensen',
  'smith',
  'nguyen',
  'fischer',
  'silva',
  'murphy',
  'walker',
  'berg',
  'klein',
  'moreau',
  'haas',
  'lindqvist',
  'reyes',
  'okafor',
  'tanaka',
  'costa',
];
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
];

const pickOf = <T>(list: readonly T[]): T => list[randomInt(list.length)] as T;

/** An address like a person's: first.last84@domain, firstlast@domain, f.last1990@domain. */
export function canaryEmail(domains: readonly string[]): string {
  const f = pickOf(FIRST);
  const l = pickOf(LAST);
  const local = pickOf([
    () => `${f}.${l}${String(randomInt(10, 99))}`,
    () => `${f}${l}`,
    () => `${f[0] ?? 'a'}.${l}${String(randomInt(1960, 2005))}`,
    () => `${f}_${l}${String(randomInt(1, 9))}`,
  ])();
  return `${local}@${pickOf(domains)}`;
}

export interface PlantedAccount {
  accountId: string;
  email: string;
  /** Only returned to the caller (tests, drills); never stored. */
  password: string;
}

export interface PlantedFamily {
  familyId: string;
  messageId: string;
  blobKey: string;
  deviceIds: string[];
}

export interface Planted {
  accounts: PlantedAccount[];
  family: PlantedFamily | null;
}

export interface PlantPorts {
  db: Db;
  /** Account addresses: sealed and indexed exactly as sign-up stores them (accounts/email-store.ts). */
  emails: AccountEmails;
  clock: Clock;
  log: Logger;
  hasher: HoneywordHasher;
  honeychecker: Honeychecker;
  blobs: Blobs;
  canaryAccounts: number;
  domains: readonly string[];
}

/** The canary accounts wanted: the configured number, plus one per 2,000 real accounts (at most 10 more). */
export function canaryTarget(configured: number, realAccounts: number): number {
  return configured === 0 ? 0 : configured + Math.min(10, Math.floor(realAccounts / 2000));
}

async function existingAccounts(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('accounts').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

async function plantAccount(ports: PlantPorts): Promise<PlantedAccount> {
  const { db, emails, clock, hasher, honeychecker, domains } = ports;
  const password = randomBytes(24).toString('base64url');
  const stored = await hasher.hashCanary(password);
  const now = clock.now();
  // Like an account made some hours ago that confirmed its email a few minutes later.
  const createdAt = now - randomInt(10 * 60_000, 6 * 3_600_000);
  const accountId = newId();
  let email = canaryEmail(domains);
  for (
    let i = 0;
    i < 5 && (await emails.findByEmail(db, email));
    i++
  )
    email = canaryEmail(domains);
  // Recorded before the row exists: a crash in between leaves a harmless unknown id, never an unmarked canary.
  await honeychecker.addCanary({ kind: 'account', id: accountId });
  await insertAccount(db, emails, {
    id: accountId,
    email,
    passwordHash: stored.hash,
    pepperId: stored.pepperId,
    createdAt,
    emailVerifiedAt: createdAt + randomInt(60_000, 40 * 60_000),
  });
  // Sign-up remembers the browser it came from.
  await rememberBrowser(db, accountId, browserHash(accountId, pickOf(USER_AGENTS)), createdAt);
  return { accountId, email, password };
}

/** Gaps between the steps of a family's set-up, as a person taps through it (milliseconds). */
const setUpGap = (min: number, max: number): number => randomInt(min, max);

/**
 * Plants the canary family with the first of `guardians` (canary accounts) whose row still exists,
 * checked inside the same transaction as the inserts: a guardian read earlier may be gone by then
 * (a wiped or restored database, another writer), and inserting it would fail the foreign keys of
 * devices and family_members. Plants nothing when none is left, or when a canary family appeared
 * meanwhile (another planting of the same database).
 *
 * The family is made as the app makes one, step by step and through the tables' owners (STYLE.md
 * 13): the guardian's device is registered; the family is created with a genesis roster listing only
 * that device; a child profile is sealed to it; the toy registers, opens a pairing window and is
 * claimed with a second roster (the toy listed with neither right, as the app lists it); then a voice
 * message is sealed to the toy and to the sending device, its blob uploaded first. The steps are a
 * few seconds to minutes apart and end before now.
 */
async function plantFamily(
  ports: PlantPorts,
  guardians: readonly string[],
): Promise<PlantedFamily | 'family-exists' | 'no-guardian'> {
  const { db, clock, honeychecker, blobs } = ports;
  const guardian = generateDeviceKeys(secureRandom);
  const toy = generateDeviceKeys(secureRandom);
  const familyId = newFamilyId(secureRandom);
  // The set-up timeline, backwards from a moment shortly before now (under 10 minutes in all, so it
  // starts after the guardian account was made: canary accounts are at least 10 minutes old).
  const sentAt = clock.now() - setUpGap(5_000, 60_000);
  const claimedAt = sentAt - setUpGap(30_000, 120_000);
  const pairingOpenedAt = claimedAt - setUpGap(20_000, 60_000);
  const toyRegisteredAt = pairingOpenedAt - setUpGap(2_000, 10_000);
  const childAt = toyRegisteredAt - setUpGap(30_000, 120_000);
  const familyAt = childAt - setUpGap(5_000, 60_000);
  const deviceAt = familyAt - setUpGap(10_000, 90_000);

  const genesis = signRoster(
    nextRosterBody(null, familyId, [rosterEntry(guardian, 'guardian', { sendToToy: true, hearChild: true })], familyAt),
    guardian,
  );
  const childId = newId();
  const profile = await sealEnvelope({
    kind: 'record',
    id: newMessageId(secureRandom),
    familyId,
    sender: guardian,
    rosterVersion: genesis.version,
    createdAt: childAt,
    recipients: [{ deviceId: guardian.deviceId, kemPublicKey: guardian.kemPublicKey }],
    meta: { childName: pickOf(['Mia', 'Leo', 'Ava', 'Finn', 'Ida']) },
    random: secureRandom,
  });
  const code = generatePairingCode(secureRandom);
  const key = pairingKey(code);
  const toyKeys = {
    toyId: toy.deviceId,
    signPublicKey: toBase64url(toy.signPublicKey),
    kemPublicKey: toBase64url(toy.kemPublicKey),
  };
  const claimed = signRoster(
    nextRosterBody(
      genesis,
      familyId,
      [...genesis.devices, rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })],
      claimedAt,
    ),
    guardian,
  );
  // About two seconds of Opus (~16 bytes a millisecond): the size of a real voice message, sealed to
  // the toy and to the sender, with the metadata the app writes (format, duration, sender's name).
  const audioBytes = 24_000 + randomInt(16_000);
  const voice = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId,
    sender: guardian,
    rosterVersion: claimed.version,
    createdAt: sentAt,
    recipients: [toy, guardian].map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
    meta: {
      mimeType: 'audio/webm;codecs=opus',
      durationMs: Math.round(audioBytes / 16) + randomInt(-120, 120),
      senderName: pickOf(['Mum', 'Dad', 'Grandma', 'Grandpa']),
    },
    payload: randomBytes(audioBytes),
    random: secureRandom,
  });
  if (!voice.blob) throw new Error('A voice envelope has a blob.');
  const hash = blobHash(voice.blob);
  const blobKey = blobKeyOf(familyId, hash);
  for (const c of [
    { kind: 'family', id: familyId },
    { kind: 'device', id: guardian.deviceId },
    { kind: 'device', id: toy.deviceId },
    { kind: 'message', id: voice.envelope.id },
    { kind: 'blob', id: blobKey },
  ] as const)
    await honeychecker.addCanary(c);
  await blobs.put(blobKey, voice.blob);
  const knownFamilies = honeychecker
    .canaries('family')
    .map((c) => c.id)
    .filter((id) => id !== familyId);
  const guardianAccountId = await db.transaction().execute(async (trx) => {
    // Re-checked here, not trusted from before the argon2 hashing and sealing above.
    if ((await existingFamilies(trx, knownFamilies)).size > 0) return 'family-exists' as const;
    const rows =
      guardians.length === 0
        ? []
        : await trx
            .selectFrom('accounts')
            .select('id')
            .where('id', 'in', [...guardians])
            .execute();
    const present = new Set(rows.map((r) => r.id));
    const guardianAccountId = guardians.find((id) => present.has(id));
    if (guardianAccountId === undefined) return 'no-guardian' as const;
    await insertPersonDevice(trx, {
      id: guardian.deviceId,
      accountId: guardianAccountId,
      signPublicKey: toBase64url(guardian.signPublicKey),
      kemPublicKey: toBase64url(guardian.kemPublicKey),
      createdAt: deviceAt,
    });
    await insertFamily(trx, familyId, familyAt);
    await insertRoster(trx, genesis, rosterHash(genesis), familyAt);
    await syncMembers(trx, genesis);
    await insertChild(trx, {
      id: childId,
      familyId,
      profileCiphertext: JSON.stringify(profile.envelope),
      createdAt: childAt,
    });
    await insertToyDevice(trx, { ...toyKeys, id: toy.deviceId, tokenHash: hashToken(newToyToken()), createdAt: toyRegisteredAt });
    const opened = await openPairingWindow(trx, toy.deviceId, {
      lookup: code.lookup,
      keysTag: toyKeysTag(key, toyKeys),
      openedAt: pairingOpenedAt,
      expiresAt: pairingOpenedAt + PAIRING_WINDOW_MS,
    });
    if (!opened) throw new Error('tripwires: a random pairing lookup is in use; the next start plants the family');
    await insertRoster(trx, claimed, rosterHash(claimed), claimedAt);
    await syncMembers(trx, claimed);
    await assignToyToFamily(trx, toy.deviceId, familyId, childId);
    await closePairingWindow(trx, toy.deviceId, code.lookup, {
      familyId,
      rosterVersion: claimed.version,
      rosterTag: rosterTag(key, toy.deviceId, claimed),
      claimedAt,
    });
    await insertBlob(trx, { familyId, hash, size: voice.blob?.length ?? 0, uploadedBy: guardian.deviceId, createdAt: sentAt });
    await insertMessage(
      trx,
      {
        id: voice.envelope.id,
        familyId,
        senderId: guardian.deviceId,
        envelope: JSON.stringify(voice.envelope),
        blobHash: hash,
        createdAt: sentAt,
      },
      voice.envelope.recipients.map((r) => r.deviceId),
    );
    return guardianAccountId;
  });
  if (guardianAccountId === 'family-exists' || guardianAccountId === 'no-guardian') {
    await blobs.delete(blobKey).catch(() => undefined);
    return guardianAccountId;
  }
  return { familyId, messageId: voice.envelope.id, blobKey, deviceIds: [guardian.deviceId, toy.deviceId] };
}

/** Plants what is missing; returns what it planted this time (empty when nothing was missing). */
export async function plantCanaries(ports: PlantPorts): Promise<Planted> {
  const { db, honeychecker, log } = ports;
  const known = honeychecker.canaries('account').map((c) => c.id);
  const alive = [...(await existingAccounts(db, known))];
  const total = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const target = canaryTarget(ports.canaryAccounts, Number(total.n) - alive.length);
  const planted: Planted = { accounts: [], family: null };
  for (let i = alive.length; i < target; i++) planted.accounts.push(await plantAccount(ports));
  const families = await existingFamilies(
    db,
    honeychecker.canaries('family').map((c) => c.id),
  );
  const guardians = [...alive, ...planted.accounts.map((a) => a.accountId)];
  if (guardians.length > 0 && families.size === 0) {
    let family = await plantFamily(ports, guardians);
    // Every guardian read above was gone by the family's transaction: plant one more and try once more.
    if (family === 'no-guardian') {
      const fresh = await plantAccount(ports);
      planted.accounts.push(fresh);
      family = await plantFamily(ports, [fresh.accountId]);
    }
    if (family === 'no-guardian')
      log.warn(
        'tripwires: the canary family was not planted (its guardian account vanished); the next start plants it',
      );
    else if (family !== 'family-exists') planted.family = family;
  }
  if (planted.accounts.length > 0 || planted.family)
    log.info(
      { accounts: planted.accounts.length, family: planted.family !== null },
      'tripwires: canaries planted',
    );
  return planted;
}
