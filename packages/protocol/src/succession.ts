/**
 * Identity succession (docs/protocol.md §17): a device replaces its Ed25519 identity key — and so its
 * device id (§2.2) — without pairing again. The device makes a new key set and a *request* that both
 * identities sign (the old one proves the request comes from the device, the new one that the new
 * key is held by it); a guardian device then signs the roster version that swaps the entry, and
 * countersigns the request bound to that version. Receivers accept the swap as a succession only if
 * all three signatures verify against the roster step it names, so neither a server nor a thief of
 * the new key alone can move a device's place in the family, and a succession replayed at any other
 * step is refused. Once the roster lists only the new id, nothing the old key signs is accepted.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { deviceIdFromSigningKey, parseId, type DeviceId, type FamilyId } from './ids.js';
import { isWeakSigningKey, sign, verify, type DeviceKeys } from './keys.js';
import { findDevice, type RosterDevice, type RosterWire } from './roster.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript } from './transcript.js';

/** What the renewing device signs with both its old and its new identity key. */
export interface SuccessionRequest {
  v: 1;
  familyId: FamilyId;
  /** The device's id until now (derived from the old identity key). */
  from: DeviceId;
  /** Its id from now on, derived from `toSignPublicKey`. */
  to: DeviceId;
  toSignPublicKey: string;
  toKemPublicKey: string;
  /** When the device asked (ms); informative, and part of what is signed. */
  issuedAt: number;
  /** By the old identity key: this device asks to be succeeded by `to`. */
  fromSignature: string;
  /** By the new identity key: the new key is held by the asking device. */
  toSignature: string;
}

/** A request a guardian device accepted: bound to the roster version that performs it. */
export interface SuccessionWire extends SuccessionRequest {
  /** The roster version that swaps `from` for `to` (version - 1 lists `from`, version lists `to`). */
  rosterVersion: number;
  /** The guardian device that signed that roster version and this countersignature. */
  guardian: DeviceId;
  guardianSignature: string;
}

type RequestBody = Omit<SuccessionRequest, 'v' | 'fromSignature' | 'toSignature'>;

/** T("burrow/v1/succession", [familyId, from, to, toSignPublicKey, toKemPublicKey, issuedAt]) */
function requestTranscript(r: RequestBody): Bytes {
  return transcript(Label.succession, [r.familyId, r.from, r.to, fromBase64url(r.toSignPublicKey, 32), fromBase64url(r.toKemPublicKey, 32), r.issuedAt]);
}

/** T("burrow/v1/succession/guardian", [request transcript, fromSignature, toSignature, rosterVersion, guardian]) */
function guardianTranscript(s: Omit<SuccessionWire, 'v' | 'guardianSignature'>): Bytes {
  return transcript(Label.successionGuardian, [requestTranscript(s), fromBase64url(s.fromSignature, 64), fromBase64url(s.toSignature, 64), s.rosterVersion, s.guardian]);
}

/** The renewing device signs its request with the identity it leaves (`from`) and the one it takes (`to`). */
export function signSuccessionRequest(input: { familyId: string; issuedAt: number }, from: DeviceKeys, to: DeviceKeys): SuccessionRequest {
  expect(Number.isSafeInteger(input.issuedAt) && input.issuedAt >= 0, 'issuedAt');
  expect(from.deviceId !== to.deviceId, 'succession (same identity)');
  const body: RequestBody = {
    familyId: parseId<FamilyId>(input.familyId, 'family id'),
    from: from.deviceId,
    to: to.deviceId,
    toSignPublicKey: toBase64url(to.signPublicKey),
    toKemPublicKey: toBase64url(to.kemPublicKey),
    issuedAt: input.issuedAt,
  };
  const bytes = requestTranscript(body);
  return { v: 1, ...body, fromSignature: toBase64url(sign(from.signSecretKey, bytes)), toSignature: toBase64url(sign(to.signSecretKey, bytes)) };
}

/** A guardian device countersigns a request for the roster version `rosterVersion` it signs. */
export function countersignSuccession(request: SuccessionRequest, rosterVersion: number, guardian: DeviceKeys): SuccessionWire {
  expect(Number.isSafeInteger(rosterVersion) && rosterVersion >= 2, 'roster version');
  const body = { ...request, rosterVersion, guardian: guardian.deviceId };
  return { ...body, guardianSignature: toBase64url(sign(guardian.signSecretKey, guardianTranscript(body))) };
}

/**
 * Parses a request (or, with `countersigned`, an accepted succession). MUST-reject: a version tag
 * other than 1, malformed ids, `to` not derived from `toSignPublicKey`, `from` = `to`, keys not of
 * 32 bytes, signatures not of 64, a non-counter `issuedAt`; for a succession a `rosterVersion` below 2.
 * Fields not listed are dropped: they are not signed.
 */
export function parseSuccessionRequest(json: unknown): SuccessionRequest {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'succession');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported succession version.');
  expect(Number.isSafeInteger(r.issuedAt) && (r.issuedAt as number) >= 0, 'issuedAt');
  for (const f of ['toSignPublicKey', 'toKemPublicKey', 'fromSignature', 'toSignature']) expect(typeof r[f] === 'string', f);
  const toSign = fromBase64url(r.toSignPublicKey as string, 32);
  fromBase64url(r.toKemPublicKey as string, 32);
  fromBase64url(r.fromSignature as string, 64);
  fromBase64url(r.toSignature as string, 64);
  const request: SuccessionRequest = {
    v: 1,
    familyId: parseId<FamilyId>(r.familyId, 'family id'),
    from: parseId<DeviceId>(r.from, 'from'),
    to: parseId<DeviceId>(r.to, 'to'),
    toSignPublicKey: r.toSignPublicKey as string,
    toKemPublicKey: r.toKemPublicKey as string,
    issuedAt: r.issuedAt as number,
    fromSignature: r.fromSignature as string,
    toSignature: r.toSignature as string,
  };
  expect(deviceIdFromSigningKey(toSign) === request.to, 'succession (to is not derived from its key)');
  expect(request.from !== request.to, 'succession (same identity)');
  return request;
}

export function parseSuccession(json: unknown): SuccessionWire {
  const request = parseSuccessionRequest(json);
  const r = json as Record<string, unknown>;
  expect(Number.isSafeInteger(r.rosterVersion) && (r.rosterVersion as number) >= 2, 'roster version');
  expect(typeof r.guardianSignature === 'string', 'guardianSignature');
  fromBase64url(r.guardianSignature, 64);
  return { ...request, rosterVersion: r.rosterVersion as number, guardian: parseId<DeviceId>(r.guardian, 'guardian'), guardianSignature: r.guardianSignature };
}

/**
 * Checks the two cross-signatures of a request against the roster held now (`roster` lists `from`):
 * what a guardian device checks before acting on it, and what the server checks before keeping it.
 * Throws `not_authorized` when `from` is not in the roster, `bad_signature` when either signature
 * (or the new key) fails.
 */
export function verifySuccessionRequest(request: SuccessionRequest, roster: RosterWire, verifier: SignatureVerifier = verify): RosterDevice {
  if (request.familyId !== roster.familyId) throw new ProtocolError('not_authorized', 'The succession is for another family.');
  const from = findDevice(roster, request.from);
  if (!from) throw new ProtocolError('not_authorized', 'The succeeded device is not in the roster.');
  if (findDevice(roster, request.to)) throw new ProtocolError('not_authorized', 'The successor is already in the roster.');
  const toKey = fromBase64url(request.toSignPublicKey, 32);
  // A small-order key verifies one signature for every message: it proves no possession (§2.3).
  if (isWeakSigningKey(toKey)) throw new ProtocolError('bad_signature', 'The successor key is not acceptable.');
  const bytes = requestTranscript(request);
  if (!verifier(fromBase64url(from.signPublicKey, 32), bytes, fromBase64url(request.fromSignature, 64)))
    throw new ProtocolError('bad_signature', 'The succession is not signed by the old identity.');
  if (!verifier(toKey, bytes, fromBase64url(request.toSignature, 64)))
    throw new ProtocolError('bad_signature', 'The succession is not signed by the new identity.');
  return from;
}

/** The roster entry that takes `from`'s place: the same role and rights, the new keys. */
export function successorEntry(request: SuccessionRequest, from: RosterDevice): RosterDevice {
  return { id: request.to, role: from.role, signPublicKey: request.toSignPublicKey, kemPublicKey: request.toKemPublicKey, sendToToy: from.sendToToy, hearChild: from.hearChild };
}

/**
 * A receiver's check of a succession against the roster step it names (§17.3): `prev` is version
 * `rosterVersion - 1`, `next` is `rosterVersion` (both already verified as a chain, §4.3).
 * Throws `bad_chain` for a succession of another step (a replay), `not_authorized` when the step does
 * not swap exactly `from` for `to` with the same role and rights or the guardian is not `next`'s
 * signer and a guardian of `prev`, `bad_signature` when any of the three signatures fails.
 */
export function verifySuccession(s: SuccessionWire, prev: RosterWire, next: RosterWire, verifier: SignatureVerifier = verify): void {
  if (s.familyId !== next.familyId || prev.familyId !== next.familyId) throw new ProtocolError('bad_chain', 'The succession is for another family.');
  if (s.rosterVersion !== next.version || prev.version + 1 !== next.version) throw new ProtocolError('bad_chain', 'The succession names another roster version.');
  const from = verifySuccessionRequest(s, prev, verifier);
  const to = findDevice(next, s.to);
  if (findDevice(next, s.from) || !to) throw new ProtocolError('not_authorized', 'The roster does not swap these devices.');
  const want = successorEntry(s, from);
  if (to.role !== want.role || to.sendToToy !== want.sendToToy || to.hearChild !== want.hearChild || to.signPublicKey !== want.signPublicKey || to.kemPublicKey !== want.kemPublicKey)
    throw new ProtocolError('not_authorized', 'The successor does not carry the same role, rights and keys.');
  const guardian = findDevice(prev, s.guardian);
  if (guardian?.role !== 'guardian' || next.signer !== s.guardian) throw new ProtocolError('not_authorized', 'The succession is not countersigned by the guardian who signed the roster.');
  if (!verifier(fromBase64url(guardian.signPublicKey, 32), guardianTranscript(s), fromBase64url(s.guardianSignature, 64)))
    throw new ProtocolError('bad_signature', 'The guardian countersignature does not verify.');
}

/**
 * Given verified rosters (oldest first, consecutive) and the successions offered for them, returns
 * the map predecessor id → successor id of those that verify, and the refusals. Used by toys and
 * people's devices to carry a device's place (review lists, queued messages to it) to its successor.
 */
export function acceptSuccessions(
  rosters: readonly RosterWire[],
  offered: readonly unknown[],
  verifier: SignatureVerifier = verify,
): { accepted: SuccessionWire[]; refused: { from: string; reason: string }[] } {
  const accepted: SuccessionWire[] = [];
  const refused: { from: string; reason: string }[] = [];
  for (const raw of offered) {
    try {
      const s = parseSuccession(raw);
      const next = rosters.find((r) => r.version === s.rosterVersion);
      const prev = rosters.find((r) => r.version === s.rosterVersion - 1);
      if (!next || !prev) throw new ProtocolError('bad_chain', 'The succession names a roster version not held.');
      verifySuccession(s, prev, next, verifier);
      accepted.push(s);
    } catch (err) {
      refused.push({ from: String((raw as { from?: unknown } | null)?.from), reason: err instanceof ProtocolError ? err.code : 'invalid' });
    }
  }
  return { accepted, refused };
}
