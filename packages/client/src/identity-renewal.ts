/**
 * Renewing a device's Ed25519 identity without pairing again (docs/protocol.md §17), for people's
 * devices (FamilyDevice) — the state it keeps and the steps, each safe to repeat after a crash:
 *
 * 1. `startRenewal`: draw the new key set and keep it as *pending* (before anything is sent, so a
 *    crash cannot lose a key the server already knows), register it, and file the request both
 *    identities signed.
 * 2. A guardian device (this one, if it is a guardian) checks the request and publishes the roster
 *    swapping the entry with its countersignature (`countersignAndPublish`).
 * 3. `adoptIfDone`: once the roster lists the new id *and* a succession from this id to it verifies
 *    against the roster step it names, the device switches: the new keys become `keys`, the old
 *    signing secret is dropped, and the old KEM secrets are kept under the old id for the grace
 *    period, so messages in flight to the old id still open (`openAsPrevious`).
 */
import {
  acceptSuccessions,
  countersignSuccession,
  exportDeviceKeys,
  findDevice,
  fromBase64url,
  generateDeviceKeys,
  importDeviceKeys,
  makeDeviceProof,
  nextRosterBody,
  openEnvelope,
  parseRoster,
  rosterHash,
  signRoster,
  signSuccessionRequest,
  successorEntry,
  toBase64url,
  verifyRosterSuccessor,
  verifySuccessionRequest,
  ProtocolError,
  type Bytes,
  type DeviceKeys,
  type EnvelopeWire,
  type KemSecretKey,
  type Opened,
  type RandomSource,
  type RosterWire,
  type StoredDeviceKeys,
  type SuccessionRequest,
  type SuccessionWire,
} from '@burrow/protocol';
import type { ApiClient } from './api.js';
import { pinRoster } from './roster-sync.js';
import type { StateStore } from './store.js';

const PENDING = 'pendingIdentity';
const PREVIOUS = 'previousIdentities';

interface PendingIdentity {
  familyId: string;
  keys: StoredDeviceKeys;
  request: SuccessionRequest;
}

/** An identity this device left, kept only to open messages that were in flight to it. */
interface PreviousIdentity {
  deviceId: string;
  /** Its KEM secrets (current and retired at the switch), newest first. */
  kemSecrets: string[];
  /** When the device switched away from it: the grace period runs from here. */
  leftAt: number;
}

/** The request this device filed and has not yet seen performed, if any. */
export async function pendingRenewal(store: StateStore): Promise<SuccessionRequest | undefined> {
  return (await store.get<PendingIdentity | null>(PENDING))?.request;
}

/**
 * Step 1: makes (or, after a crash, reuses) the new key set, registers it to this account and files
 * the request. The roster must list this device.
 */
export async function startRenewal(input: { api: ApiClient; store: StateStore; keys: DeviceKeys; roster: RosterWire; random: RandomSource; now: number }): Promise<SuccessionRequest> {
  const { api, store, keys, roster } = input;
  if (!findDevice(roster, keys.deviceId)) throw new ProtocolError('not_authorized', 'This device is not in the family roster.');
  let pending = await store.get<PendingIdentity | null>(PENDING);
  if (pending?.familyId !== roster.familyId || pending.request.from !== keys.deviceId) {
    const next = generateDeviceKeys(input.random);
    pending = { familyId: roster.familyId, keys: exportDeviceKeys(next), request: signSuccessionRequest({ familyId: roster.familyId, issuedAt: input.now }, keys, next) };
    await store.set(PENDING, pending);
  }
  const next = importDeviceKeys(pending.keys);
  await api.registerDevice({ signPublicKey: toBase64url(next.signPublicKey), kemPublicKey: toBase64url(next.kemPublicKey), proof: makeDeviceProof(next, 'device') });
  await api.requestSuccession(roster.familyId, pending.request);
  return pending.request;
}

/**
 * Step 2, on a guardian's device: checks a request against the roster this device holds (both
 * identities signed, the old one is listed), signs the next roster with the entry swapped — same
 * role and rights — and publishes it with the countersignature.
 */
export async function countersignAndPublish(input: { api: ApiClient; store: StateStore; guardian: DeviceKeys; roster: RosterWire; request: SuccessionRequest; now: number }): Promise<RosterWire> {
  const { roster, request, guardian } = input;
  const from = verifySuccessionRequest(request, roster);
  const devices = roster.devices.map((d) => (d.id === from.id ? successorEntry(request, from) : d));
  const next = signRoster(nextRosterBody(roster, roster.familyId, devices, input.now), guardian);
  await input.api.publishSuccession(roster.familyId, next, countersignSuccession(request, next.version, guardian));
  await pinRoster(input.store, next);
  return next;
}

/**
 * The verified rosters from version `from` up to the pinned one: fetched, checked as a chain, and the
 * last must be exactly the pinned roster (so the older ones are authenticated by it).
 */
async function rostersSince(api: ApiClient, pinned: RosterWire, from: number): Promise<RosterWire[]> {
  if (from >= pinned.version) return [pinned];
  const { rosters } = await api.listRosters(pinned.familyId, Math.max(0, from - 1));
  const chain = rosters.map(parseRoster).filter((r) => r.version >= from && r.version <= pinned.version);
  for (let i = 1; i < chain.length; i++) verifyRosterSuccessor(chain[i - 1]!, chain[i]!);
  const last = chain.at(-1);
  if (chain[0]?.version !== from || !last || rosterHash(last) !== rosterHash(pinned)) throw new ProtocolError('bad_chain', 'The rosters do not chain to the pinned one.');
  return chain;
}

/**
 * Successions of the family that verify against the rosters up to `pinned` (§17.3), and the ones
 * refused (forged, not cross-signed, replayed). `after`: only those of later roster versions.
 */
export async function verifiedSuccessions(api: ApiClient, pinned: RosterWire, after = 0): Promise<{ accepted: SuccessionWire[]; refused: { from: string; reason: string }[] }> {
  const { successions } = await api.listSuccessions(pinned.familyId, after);
  if (successions.length === 0) return { accepted: [], refused: [] };
  const oldest = Math.min(...successions.map((s) => (Number.isSafeInteger(s.rosterVersion) ? s.rosterVersion : pinned.version)));
  return acceptSuccessions(await rostersSince(api, pinned, Math.max(1, oldest - 1)), successions);
}

/**
 * Step 3: switches to the new identity once the pinned roster lists it and a verified succession
 * from this device's id leads to it. Returns the new keys, or undefined (not yet, or refused).
 */
export async function adoptIfDone(input: { api: ApiClient; store: StateStore; keys: DeviceKeys; roster: RosterWire; now: number; onRefused?: (from: string, reason: string) => void }): Promise<DeviceKeys | undefined> {
  const { api, store, keys, roster } = input;
  const pending = await store.get<PendingIdentity | null>(PENDING);
  if (pending?.familyId !== roster.familyId || pending.request.from !== keys.deviceId) return undefined;
  if (!findDevice(roster, pending.request.to)) return undefined;
  const { accepted, refused } = await verifiedSuccessions(api, roster, 0);
  for (const r of refused) input.onRefused?.(r.from, r.reason);
  if (!accepted.some((s) => s.from === keys.deviceId && s.to === pending.request.to)) return undefined;
  // The old KEM secrets (current first, then the retired ones still held) stay under the old id.
  const kemState = await store.get<{ retired?: { secret: string }[] } | null>('kemState');
  const previous = (await store.get<PreviousIdentity[] | null>(PREVIOUS)) ?? [];
  const kemSecrets = [toBase64url(keys.kemSecretKey), ...[...(kemState?.retired ?? [])].reverse().map((r) => r.secret)];
  await store.set(PREVIOUS, [...previous, { deviceId: keys.deviceId, kemSecrets, leftAt: input.now }]);
  // The new key set replaces the old one, signing secret included: from here the old key is gone.
  await store.set('keys', pending.keys);
  await store.set('kemState', null);
  await store.set('kemCheckedAt', null);
  await store.set(PENDING, null);
  return importDeviceKeys(pending.keys);
}

/** Erases previous identities' KEM secrets once the grace period after the switch has passed. */
export async function erasePreviousIdentities(store: StateStore, now: number, graceMs: number): Promise<number> {
  const previous = (await store.get<PreviousIdentity[] | null>(PREVIOUS)) ?? [];
  const keep = previous.filter((p) => now < p.leftAt + graceMs);
  if (keep.length !== previous.length) await store.set(PREVIOUS, keep);
  return previous.length - keep.length;
}

/** The ids this device had before, whose in-flight messages it may still open. */
export async function previousIds(store: StateStore): Promise<string[]> {
  return ((await store.get<PreviousIdentity[] | null>(PREVIOUS)) ?? []).map((p) => p.deviceId);
}

/** How many KEM secrets this device still holds for identities it left (kept for the grace period). */
export async function previousKemSecretCount(store: StateStore): Promise<number> {
  return ((await store.get<PreviousIdentity[] | null>(PREVIOUS)) ?? []).reduce((n, p) => n + p.kemSecrets.length, 0);
}

/** Opens an envelope addressed to a previous identity of this device, with that identity's KEM secrets. */
export async function openAsPrevious(store: StateStore, keys: DeviceKeys, envelope: EnvelopeWire, blob: Bytes | null): Promise<Opened & { as: string }> {
  const previous = (await store.get<PreviousIdentity[] | null>(PREVIOUS)) ?? [];
  for (const p of [...previous].reverse()) {
    if (!envelope.recipients.some((r) => r.deviceId === p.deviceId)) continue;
    for (const secret of p.kemSecrets) {
      try {
        // Opening needs only the recipient id (bound into HPKE info) and the KEM secret.
        return { ...(await openEnvelope(envelope, blob, { ...keys, deviceId: p.deviceId as DeviceKeys['deviceId'], kemSecretKey: fromBase64url(secret, 32) as KemSecretKey })), as: p.deviceId };
      } catch (err) {
        if (!(err instanceof ProtocolError && err.code === 'decrypt_failed')) throw err;
      }
    }
  }
  throw new ProtocolError('decrypt_failed', 'Could not open.');
}
