/**
 * Recovering a family whose only guardian lost every device (docs/protocol.md §5.1). No device can
 * sign the next roster as §4.3 wants, so the authority comes from the toy in hand instead: the new
 * device signs a successor that lists it as guardian, MACs it with the secret of a pairing code the
 * toy shows while its button is held (§5), and the toy accepts it only if it chains from the roster
 * it holds and changes nothing but the guardian. The roster format is §4's, unchanged.
 */
import { fromBase64url, toBase64url } from './bytes.js';
import { ProtocolError } from './errors.js';
import type { DeviceId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import { findDevice, rosterHash, verifyRosterSelfSigned, type RosterDevice, type RosterWire } from './roster.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript } from './transcript.js';

const sameEntry = (a: RosterDevice, b: RosterDevice): boolean =>
  a.role === b.role &&
  a.signPublicKey === b.signPublicKey &&
  a.kemPublicKey === b.kemPublicKey &&
  a.sendToToy === b.sendToToy &&
  a.hearChild === b.hearChild;

/**
 * `next` may replace `prev` by recovery: exactly the next version of the same family, carrying
 * prev's hash, signed by a guardian it lists (the recovering device), and otherwise only dropping
 * devices — every other device it lists is in `prev` with the same keys, role and rights. So a
 * recovery can seat one new guardian device and remove the lost ones; it cannot raise anyone's
 * rights or slip in a second new device. The pairing-secret MAC (`verifyRosterTag`) is the caller's
 * to check: it is what proves the toy was in hand.
 */
export function verifyRecoveryRoster(prev: RosterWire, next: RosterWire, verifier: SignatureVerifier = verify): void {
  if (next.familyId !== prev.familyId) throw new ProtocolError('bad_chain', 'Roster belongs to another family.');
  if (next.version !== prev.version + 1) throw new ProtocolError('bad_chain', 'Roster version does not follow.');
  if (next.prevHash !== rosterHash(prev)) throw new ProtocolError('bad_chain', 'Roster does not chain.');
  if (next.issuedAt < prev.issuedAt) throw new ProtocolError('bad_chain', 'Roster goes back in time.');
  verifyRosterSelfSigned(next, verifier);
  for (const device of next.devices) {
    if (device.id === next.signer) continue;
    const before = findDevice(prev, device.id);
    if (!before || !sameEntry(before, device)) {
      throw new ProtocolError('not_authorized', 'A recovery roster may only add its signer as guardian and drop devices.');
    }
  }
}

/**
 * The toy's word that it pinned a recovery roster after checking the pairing-secret MAC: what lets
 * the family's other devices, which never saw the toy's code, follow the step (§5.1).
 */
export interface RecoveryEndorsement {
  toyId: DeviceId;
  version: number;
  /** Ed25519 by the toy over T("burrow/v1/roster-recovery", [familyId, version, rosterHash]). */
  signature: string;
}

const endorsementTranscript = (roster: RosterWire) =>
  transcript(Label.rosterRecovery, [roster.familyId, roster.version, fromBase64url(rosterHash(roster), 32)]);

/** Made by the toy once it pinned `roster` by recovery. */
export function endorseRecoveryRoster(toy: DeviceKeys, roster: RosterWire): RecoveryEndorsement {
  return { toyId: toy.deviceId, version: roster.version, signature: toBase64url(sign(toy.signSecretKey, endorsementTranscript(roster))) };
}

/**
 * A device that holds `prev` accepts `next` by recovery only if `next` is a recovery successor and
 * a toy listed in `prev` signed that it verified it (so a server cannot seat a guardian of its own in
 * the relatives' view of the family: it would need a toy's key).
 */
export function verifyRecoveryStep(
  prev: RosterWire,
  next: RosterWire,
  endorsements: readonly RecoveryEndorsement[],
  verifier: SignatureVerifier = verify,
): void {
  verifyRecoveryRoster(prev, next, verifier);
  const message = endorsementTranscript(next);
  const vouched = endorsements.some((e) => {
    const toy = findDevice(prev, e.toyId);
    if (toy?.role !== 'toy' || e.version !== next.version) return false;
    try {
      return verifier(fromBase64url(toy.signPublicKey, 32), message, fromBase64url(e.signature, 64));
    } catch {
      return false;
    }
  });
  if (!vouched) throw new ProtocolError('not_authorized', 'A recovery roster needs the signature of a toy of the roster before it.');
}
