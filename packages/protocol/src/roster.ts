/**
 * Signed rosters (docs/protocol.md §4): the family's devices and what each may do. Version n carries
 * the hash of version n-1 and is signed by a guardian device listed in n-1; version 1 is signed by a
 * guardian it lists itself. A toy pins a roster at pairing and then accepts only successors.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { deviceIdFromSigningKey, parseId, type DeviceId, type FamilyId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript, type Field } from './transcript.js';

export type Role = 'guardian' | 'member' | 'toy';
const ROLES: readonly Role[] = ['guardian', 'member', 'toy'];

export interface RosterDevice {
  id: DeviceId;
  role: Role;
  signPublicKey: string;
  kemPublicKey: string;
  /** May make a toy of this family speak. */
  sendToToy: boolean;
  /** May receive the child's recordings. */
  hearChild: boolean;
}

export interface RosterBody {
  v: 1;
  familyId: FamilyId;
  version: number;
  /** base64url SHA-256 roster hash of version - 1; 32 zero bytes for version 1. */
  prevHash: string;
  issuedAt: number;
  devices: RosterDevice[];
}

export interface RosterWire extends RosterBody {
  signer: DeviceId;
  signature: string;
}

export const GENESIS_PREV_HASH = toBase64url(new Uint8Array(32));
export const MAX_ROSTER_DEVICES = 256;

function bodyTranscript(body: RosterBody, signer: DeviceId): Bytes {
  const fields: Field[] = [body.familyId, body.version, fromBase64url(body.prevHash, 32), body.issuedAt, signer, body.devices.length];
  for (const d of body.devices) {
    fields.push(d.id, d.role, fromBase64url(d.signPublicKey, 32), fromBase64url(d.kemPublicKey, 32), d.sendToToy, d.hearChild);
  }
  return transcript(Label.roster, fields);
}

/** Signs a roster body with a guardian device's key. */
export function signRoster(body: RosterBody, signer: DeviceKeys): RosterWire {
  const signature = toBase64url(sign(signer.signSecretKey, bodyTranscript(body, signer.deviceId)));
  return { ...body, devices: body.devices.map((d) => ({ ...d })), signer: signer.deviceId, signature };
}

/** SHA-256 over the signed roster: transcript("burrow/v1/roster-hash", [body transcript, signature]). */
export function rosterHash(roster: RosterWire): string {
  return toBase64url(sha256(transcript(Label.rosterHash, [bodyTranscript(roster, roster.signer), fromBase64url(roster.signature, 64)])));
}

function isBool(v: unknown): v is boolean {
  return typeof v === 'boolean';
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses untrusted JSON into a roster, rejecting anything not exactly of the wire form (§4.1). */
export function parseRoster(json: unknown): RosterWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'roster');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported roster version.');
  expect(isCount(r.version) && r.version >= 1, 'roster version');
  expect(isCount(r.issuedAt), 'roster issuedAt');
  fromBase64url(r.prevHash as string, 32);
  fromBase64url(r.signature as string, 64);
  expect(Array.isArray(r.devices) && r.devices.length >= 1 && r.devices.length <= MAX_ROSTER_DEVICES, 'roster devices');
  const seen = new Set<string>();
  const devices = (r.devices as unknown[]).map((raw): RosterDevice => {
    expect(typeof raw === 'object' && raw !== null, 'roster device');
    const d = raw as Record<string, unknown>;
    const id = parseId<DeviceId>(d.id, 'device id');
    expect(typeof d.role === 'string' && (ROLES as string[]).includes(d.role), 'device role');
    const signPublicKey = fromBase64url(d.signPublicKey as string, 32);
    fromBase64url(d.kemPublicKey as string, 32);
    expect(isBool(d.sendToToy) && isBool(d.hearChild), 'device permissions');
    // An id must be the one derived from its key, so no entry can impersonate another device.
    expect(deviceIdFromSigningKey(signPublicKey) === id, 'device id');
    expect(!seen.has(id), 'roster (duplicate device)');
    seen.add(id);
    // Toys speak to the family; they never make another toy speak.
    expect(d.role !== 'toy' || d.sendToToy === false, 'toy permissions');
    return {
      id,
      role: d.role as Role,
      signPublicKey: d.signPublicKey as string,
      kemPublicKey: d.kemPublicKey as string,
      sendToToy: d.sendToToy,
      hearChild: d.hearChild,
    };
  });
  const roster: RosterWire = {
    v: 1,
    familyId: parseId<FamilyId>(r.familyId, 'family id'),
    version: r.version,
    prevHash: r.prevHash as string,
    issuedAt: r.issuedAt,
    devices,
    signer: parseId<DeviceId>(r.signer, 'signer'),
    signature: r.signature as string,
  };
  expect(roster.version !== 1 || roster.prevHash === GENESIS_PREV_HASH, 'genesis prevHash');
  return roster;
}

export function findDevice(roster: RosterBody, id: string): RosterDevice | undefined {
  return roster.devices.find((d) => d.id === id);
}

function checkSignedBy(roster: RosterWire, authority: RosterBody, verifier: SignatureVerifier): void {
  const signer = findDevice(authority, roster.signer);
  if (!signer || signer.role !== 'guardian') {
    throw new ProtocolError('not_authorized', 'Roster signer is not a guardian.');
  }
  const ok = verifier(fromBase64url(signer.signPublicKey, 32), bodyTranscript(roster, roster.signer), fromBase64url(roster.signature, 64));
  if (!ok) throw new ProtocolError('bad_signature', 'Roster signature does not verify.');
}

function checkHasGuardian(roster: RosterBody): void {
  if (!roster.devices.some((d) => d.role === 'guardian')) {
    throw new ProtocolError('not_authorized', 'A roster must keep at least one guardian device.');
  }
}

/** Version 1: genesis prevHash and signed by a guardian it lists (§4.2). */
export function verifyRosterGenesis(roster: RosterWire, verifier: SignatureVerifier = verify): void {
  if (roster.version !== 1 || roster.prevHash !== GENESIS_PREV_HASH) throw new ProtocolError('bad_chain', 'Not a genesis roster.');
  checkSignedBy(roster, roster, verifier);
}

/**
 * A roster pinned out of band (at pairing, authenticated by the pairing secret, §5): any version,
 * but internally consistent and signed by a guardian it lists.
 */
export function verifyRosterSelfSigned(roster: RosterWire, verifier: SignatureVerifier = verify): void {
  checkHasGuardian(roster);
  checkSignedBy(roster, roster, verifier);
}

/** `next` must be exactly version prev+1, carry prev's hash, and be signed by a guardian of prev (§4.3). */
export function verifyRosterSuccessor(prev: RosterWire, next: RosterWire, verifier: SignatureVerifier = verify): void {
  if (next.familyId !== prev.familyId) throw new ProtocolError('bad_chain', 'Roster belongs to another family.');
  if (next.version !== prev.version + 1) throw new ProtocolError('bad_chain', 'Roster version does not follow.');
  if (next.prevHash !== rosterHash(prev)) throw new ProtocolError('bad_chain', 'Roster does not chain.');
  if (next.issuedAt < prev.issuedAt) throw new ProtocolError('bad_chain', 'Roster goes back in time.');
  checkHasGuardian(next);
  checkSignedBy(next, prev, verifier);
}

/** Walks a list of successors from `pinned`, returning the newest verified roster. */
export function advanceRoster(pinned: RosterWire, successors: readonly RosterWire[], verifier: SignatureVerifier = verify): RosterWire {
  let current = pinned;
  for (const next of successors) {
    if (next.version <= current.version) continue;
    verifyRosterSuccessor(current, next, verifier);
    current = next;
  }
  return current;
}

/** Builds the next roster body from the current one (used by guardian devices). */
export function nextRosterBody(current: RosterWire | null, familyId: FamilyId, devices: RosterDevice[], issuedAt: number): RosterBody {
  return {
    v: 1,
    familyId,
    version: current ? current.version + 1 : 1,
    prevHash: current ? rosterHash(current) : GENESIS_PREV_HASH,
    issuedAt: current ? Math.max(issuedAt, current.issuedAt) : issuedAt,
    devices,
  };
}

/** A roster entry for a device key set. */
export function rosterEntry(keys: Pick<DeviceKeys, 'deviceId' | 'signPublicKey' | 'kemPublicKey'>, role: Role, perms: { sendToToy: boolean; hearChild: boolean }): RosterDevice {
  return {
    id: keys.deviceId,
    role,
    signPublicKey: toBase64url(keys.signPublicKey),
    kemPublicKey: toBase64url(keys.kemPublicKey),
    sendToToy: role === 'toy' ? false : perms.sendToToy,
    hearChild: perms.hearChild,
  };
}
