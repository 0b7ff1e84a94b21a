/**
 * Plants the canaries: accounts no person uses, and one canary family with a guardian device, a
 * toy, a sealed child profile and a sealed voice message with its blob. Every row is made as the
 * real code paths make them (argon2id sweetword sets, signed rosters, HPKE-sealed envelopes from
 * @burrow/protocol), so a copy of the database cannot tell them apart from families. Which rows are
 * canaries is recorded only in the honeychecker.
 *
 * Idempotent: run at every start; it plants only what is missing (a restore into an empty database
 * replants). The number of canary accounts grows slowly with the number of real ones, so canaries
 * are not all "the first accounts ever made".
 *
 * Canary passwords are 192 random bits, used once to hash and then forgotten: nobody can sign in
 * as a canary except someone who cracked its hash (and cracking 192 bits is not possible, so in
 * practice a canary password proves the set's decoys or the argon2 output leaked with the secret).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  blobHash,
  generateDeviceKeys,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  rosterEntry,
  rosterHash,
  sealEnvelope,
  secureRandom,
  signRoster,
  toBase64url,
} from '@burrow/protocol';
import type { Logger } from 'pino';
import { newId } from '../auth/index.js';
import { describeUserAgent } from '../accounts/user-agent.js';
import type { Blobs } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
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

async function existing(db: Db, table: 'accounts' | 'families', ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom(table).select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

async function plantAccount(ports: PlantPorts): Promise<PlantedAccount> {
  const { db, clock, hasher, honeychecker, domains } = ports;
  const password = randomBytes(24).toString('base64url');
  const stored = await hasher.hashCanary(password);
  const now = clock.now();
  // Like an account made some hours ago that confirmed its email a few minutes later.
  const createdAt = now - randomInt(10 * 60_000, 6 * 3_600_000);
  const accountId = newId();
  let email = canaryEmail(domains);
  for (
    let i = 0;
    i < 5 && (await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst());
    i++
  )
    email = canaryEmail(domains);
  // Recorded before the row exists: a crash in between leaves a harmless unknown id, never an unmarked canary.
  await honeychecker.addCanary({ kind: 'account', id: accountId });
  await db
    .insertInto('accounts')
    .values({
      id: accountId,
      email,
      password_hash: stored.hash,
      pepper_id: stored.pepperId,
      created_at: createdAt,
      email_verified_at: createdAt + randomInt(60_000, 40 * 60_000),
    })
    .execute();
  const ua = pickOf(USER_AGENTS);
  await db
    .insertInto('sign_in_browsers')
    .values({
      account_id: accountId,
      browser_hash: createHash('sha256')
        .update(`${accountId}\0${describeUserAgent(ua).label}\0${ua}`)
        .digest('hex'),
      first_seen_at: createdAt,
    })
    .execute();
  return { accountId, email, password };
}

/**
 * Plants the canary family with the first of `guardians` (canary accounts) whose row still exists,
 * checked inside the same transaction as the inserts: a guardian read earlier may be gone by then
 * (a wiped or restored database, another writer), and inserting it would fail the foreign keys of
 * devices and family_members. Plants nothing when none is left, or when a canary family appeared
 * meanwhile (another planting of the same database).
 */
async function plantFamily(
  ports: PlantPorts,
  guardians: readonly string[],
): Promise<PlantedFamily | 'family-exists' | 'no-guardian'> {
  const { db, clock, honeychecker, blobs } = ports;
  const now = clock.now();
  const guardian = generateDeviceKeys(secureRandom);
  const toy = generateDeviceKeys(secureRandom);
  const familyId = newFamilyId(secureRandom);
  const perms = { sendToToy: true, hearChild: true };
  const roster = signRoster(
    nextRosterBody(
      null,
      familyId,
      [rosterEntry(guardian, 'guardian', perms), rosterEntry(toy, 'toy', perms)],
      now,
    ),
    guardian,
  );
  const childId = newId();
  const recipients = [guardian, toy].map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey }));
  const profile = await sealEnvelope({
    kind: 'record',
    id: newMessageId(secureRandom),
    familyId,
    sender: guardian,
    rosterVersion: roster.version,
    createdAt: now,
    recipients,
    meta: { childName: pickOf(['Mia', 'Leo', 'Ava', 'Finn', 'Ida']) },
    random: secureRandom,
  });
  // About two seconds of Opus: the size of a real voice message.
  const voice = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId,
    sender: guardian,
    rosterVersion: roster.version,
    createdAt: now,
    recipients: [{ deviceId: toy.deviceId, kemPublicKey: toy.kemPublicKey }],
    meta: { senderName: pickOf(['Mum', 'Dad', 'Grandma', 'Grandpa']) },
    payload: randomBytes(24_000 + randomInt(16_000)),
    random: secureRandom,
  });
  if (!voice.blob) throw new Error('A voice envelope has a blob.');
  const hash = blobHash(voice.blob);
  const blobKey = `${familyId}/${hash}`;
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
    if (knownFamilies.length > 0) {
      const other = await trx
        .selectFrom('families')
        .select('id')
        .where('id', 'in', knownFamilies)
        .executeTakeFirst();
      if (other) return 'family-exists' as const;
    }
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
    await trx.insertInto('families').values({ id: familyId, created_at: now }).execute();
    await trx
      .insertInto('children')
      .values({
        id: childId,
        family_id: familyId,
        profile_ciphertext: JSON.stringify(profile.envelope),
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('devices')
      .values([
        {
          id: guardian.deviceId,
          kind: 'person',
          account_id: guardianAccountId,
          sign_public_key: toBase64url(guardian.signPublicKey),
          kem_public_key: toBase64url(guardian.kemPublicKey),
          token_hash: null,
          family_id: null,
          child_id: null,
          created_at: now,
        },
        {
          id: toy.deviceId,
          kind: 'toy',
          account_id: null,
          sign_public_key: toBase64url(toy.signPublicKey),
          kem_public_key: toBase64url(toy.kemPublicKey),
          token_hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
          family_id: familyId,
          child_id: childId,
          created_at: now,
        },
      ])
      .execute();
    await trx
      .insertInto('rosters')
      .values({
        family_id: familyId,
        version: roster.version,
        roster: JSON.stringify(roster),
        roster_hash: rosterHash(roster),
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('family_members')
      .values({ family_id: familyId, account_id: guardianAccountId, role: 'guardian' })
      .execute();
    await trx
      .insertInto('blobs')
      .values({
        family_id: familyId,
        hash,
        size: voice.blob?.length ?? 0,
        uploaded_by: guardian.deviceId,
        created_at: now,
      })
      .execute();
    const row = await trx
      .insertInto('messages')
      .values({
        id: voice.envelope.id,
        family_id: familyId,
        sender_id: guardian.deviceId,
        envelope: JSON.stringify(voice.envelope),
        blob_hash: hash,
        created_at: now,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('message_recipients')
      .values({ message_seq: row.seq, device_id: toy.deviceId })
      .execute();
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
  const alive = [...(await existing(db, 'accounts', known))];
  const total = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const target = canaryTarget(ports.canaryAccounts, Number(total.n) - alive.length);
  const planted: Planted = { accounts: [], family: null };
  for (let i = alive.length; i < target; i++) planted.accounts.push(await plantAccount(ports));
  const families = await existing(
    db,
    'families',
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
