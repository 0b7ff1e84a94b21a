/**
 * Test actors built with the real protocol: people with registered devices, families with signed
 * rosters, sealed child profiles, toys paired through the real pairing flow, sealed voice messages.
 */
import {
  blobHash,
  generateDeviceKeys,
  generatePairingCode,
  makeDeviceProof,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  pairingKey,
  rosterEntry,
  rosterTag,
  sealEnvelope,
  secureRandom,
  signRoster,
  toBase64url,
  toyKeysTag,
  type DeviceKeys,
  type EnvelopeWire,
  type FamilyId,
  type MessageId,
  type Role,
  type RosterDevice,
  type RosterWire,
} from '@burrow/protocol';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { Answer, Call } from './http.js';

/**
 * The tests' password (also e2e/world.ts and e2e/browser/harness.ts). It passes the real policy,
 * and was picked to be cheap for zxcvbn: longer than any dictionary word or test e-mail (so no
 * Levenshtein scan of the whole password) and without a repeated letter pair (no repeat match
 * re-running the dictionaries). The previous ones cost 150–600 ms of CPU per sign-up; this ~20 ms.
 */
export const PASSWORD = 'quiet maple lantern drifts by the old river';

export interface Person {
  email: string;
  accountId: string;
  token: string;
  keys: DeviceKeys;
  /** Credentials acting as this person's device. */
  as: { token: string; device: string };
}

export interface Toy {
  keys: DeviceKeys;
  toyId: string;
  token: string;
  as: { token: string };
}

export function expectStatus(answer: Answer, status: number, what = ''): void {
  assert.equal(
    answer.status,
    status,
    `${what} expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`,
  );
}

export function deviceKeysBody(keys: DeviceKeys, purpose: 'device' | 'toy') {
  return {
    signPublicKey: toBase64url(keys.signPublicKey),
    kemPublicKey: toBase64url(keys.kemPublicKey),
    proof: makeDeviceProof(keys, purpose),
  };
}

/** Every person made by `person()`, by device id, so `publish` can admit newcomers first. */
const peopleByDevice = new Map<string, Person>();

/** Signs up a new account and registers one device for it. */
export async function person(call: Call, label = 'someone'): Promise<Person> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const signUp = await call<{ accountId: string; token: string }>('POST', '/v1/accounts', {
    body: { email, password: PASSWORD },
  });
  expectStatus(signUp, 201, 'signUp');
  const keys = generateDeviceKeys(secureRandom);
  const reg = await call('POST', '/v1/devices', {
    token: signUp.json.token,
    body: deviceKeysBody(keys, 'device'),
  });
  expectStatus(reg, 201, 'registerDevice');
  const made: Person = {
    email,
    accountId: signUp.json.accountId,
    token: signUp.json.token,
    keys,
    as: { token: signUp.json.token, device: keys.deviceId },
  };
  peopleByDevice.set(keys.deviceId, made);
  return made;
}

/**
 * The consent flow: a guardian of `fam` invites, `who` redeems the code, the guardian approves.
 * Afterwards a guardian's device may list `who`'s devices in a roster. Returns the request id.
 */
export async function admit(call: Call, fam: Family, who: Person): Promise<string> {
  const invite = await call<{ code: string }>('POST', `/v1/families/${fam.familyId}/invitations`, {
    token: fam.guardian.token,
    body: {},
  });
  expectStatus(invite, 201, 'createInvitation');
  const redeemed = await call<{ requestId: string }>('POST', '/v1/invitations/redeem', {
    token: who.token,
    body: { code: invite.json.code },
  });
  expectStatus(redeemed, 201, 'redeemInvitation');
  const approve = await call(
    'POST',
    `/v1/families/${fam.familyId}/join-requests/${redeemed.json.requestId}/approve`,
    { token: fam.guardian.token },
  );
  expectStatus(approve, 200, 'approveJoinRequest');
  return redeemed.json.requestId;
}

export async function registerToy(call: Call): Promise<Toy> {
  const keys = generateDeviceKeys(secureRandom);
  const res = await call<{ toyId: string; token: string }>('POST', '/v1/toys', {
    body: deviceKeysBody(keys, 'toy'),
  });
  expectStatus(res, 201, 'registerToy');
  return { keys, toyId: res.json.toyId, token: res.json.token, as: { token: res.json.token } };
}

export type Perms = { sendToToy: boolean; hearChild: boolean };
const allPerms: Perms = { sendToToy: true, hearChild: true };

export function entry(keys: DeviceKeys, role: Role, perms: Perms = allPerms): RosterDevice {
  return rosterEntry(keys, role, perms);
}

export function genesis(
  guardian: DeviceKeys,
  familyId: FamilyId = newFamilyId(secureRandom),
  others: RosterDevice[] = [],
): RosterWire {
  return signRoster(
    nextRosterBody(null, familyId, [entry(guardian, 'guardian'), ...others], Date.now()),
    guardian,
  );
}

export function successor(current: RosterWire, devices: RosterDevice[], signer: DeviceKeys): RosterWire {
  return signRoster(nextRosterBody(current, current.familyId, devices, Date.now()), signer);
}

export async function sealedRecord(
  sender: DeviceKeys,
  roster: RosterWire,
  recipients: DeviceKeys[] = [sender],
): Promise<EnvelopeWire> {
  const { envelope } = await sealEnvelope({
    kind: 'record',
    id: newMessageId(secureRandom),
    familyId: roster.familyId,
    sender,
    rosterVersion: roster.version,
    createdAt: Date.now(),
    recipients: recipients.map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
    meta: { childName: 'Mia' },
    random: secureRandom,
  });
  return envelope;
}

export async function sealedVoice(
  sender: DeviceKeys,
  roster: RosterWire,
  recipients: DeviceKeys[],
  audio: Uint8Array = randomBytes(2000),
  id: MessageId = newMessageId(secureRandom),
) {
  const sealed = await sealEnvelope({
    kind: 'voice',
    id,
    familyId: roster.familyId,
    sender,
    rosterVersion: roster.version,
    createdAt: Date.now(),
    recipients: recipients.map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
    meta: { senderName: 'Test' },
    payload: audio,
    random: secureRandom,
  });
  const blob = sealed.blob;
  assert.ok(blob);
  return { envelope: sealed.envelope, blob, hash: blobHash(blob) };
}

export interface Family {
  familyId: string;
  guardian: Person;
  roster: RosterWire;
  childId: string;
}

/** A guardian, her family (genesis roster) and one child. */
export async function family(call: Call, guardian?: Person): Promise<Family> {
  const g = guardian ?? (await person(call, 'guardian'));
  const roster = genesis(g.keys);
  expectStatus(await call('POST', '/v1/families', { ...g.as, body: { roster } }), 201, 'createFamily');
  const child = await call<{ childId: string }>('POST', `/v1/families/${roster.familyId}/children`, {
    ...g.as,
    body: { profile: await sealedRecord(g.keys, roster) },
  });
  expectStatus(child, 201, 'createChild');
  return { familyId: roster.familyId, guardian: g, roster, childId: child.json.childId };
}

/** Publishes the next roster (signed by the family's guardian) and updates `fam.roster`. */
export async function publish(call: Call, fam: Family, devices: RosterDevice[]): Promise<RosterWire> {
  // People not yet in the family go through invitation and approval first, as in the app.
  const listedAccounts = new Set(
    fam.roster.devices.map((d) => peopleByDevice.get(d.id)?.accountId ?? fam.guardian.accountId),
  );
  listedAccounts.add(fam.guardian.accountId);
  for (const d of devices) {
    const who = peopleByDevice.get(d.id);
    if (!who || listedAccounts.has(who.accountId)) continue;
    await admit(call, fam, who);
    listedAccounts.add(who.accountId);
  }
  const next = successor(fam.roster, devices, fam.guardian.keys);
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/rosters`, {
      ...fam.guardian.as,
      body: { roster: next },
    }),
    201,
    'publishRoster',
  );
  fam.roster = next;
  return next;
}

/** Runs the real pairing flow: the toy opens a window, the guardian looks it up and claims it. */
export async function pairToy(call: Call, fam: Family, toy?: Toy): Promise<Toy> {
  const t = toy ?? (await registerToy(call));
  const code = generatePairingCode(secureRandom);
  const key = pairingKey(code);
  const keysTag = toyKeysTag(key, {
    toyId: t.keys.deviceId,
    signPublicKey: toBase64url(t.keys.signPublicKey),
    kemPublicKey: toBase64url(t.keys.kemPublicKey),
  });
  expectStatus(
    await call('POST', '/v1/toys/me/pairing', { ...t.as, body: { lookup: code.lookup, keysTag } }),
    201,
    'openPairing',
  );
  expectStatus(
    await call('GET', `/v1/pairing/${code.lookup}`, { token: fam.guardian.token }),
    200,
    'lookupPairing',
  );
  const next = successor(
    fam.roster,
    [...fam.roster.devices, entry(t.keys, 'toy', { sendToToy: false, hearChild: false })],
    fam.guardian.keys,
  );
  const claim = await call('POST', `/v1/families/${fam.familyId}/toys`, {
    ...fam.guardian.as,
    body: {
      lookup: code.lookup,
      childId: fam.childId,
      roster: next,
      rosterTag: rosterTag(key, t.keys.deviceId, next),
    },
  });
  expectStatus(claim, 201, 'claimToy');
  fam.roster = next;
  return t;
}
