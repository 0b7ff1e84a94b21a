/**
 * What a toy plays (docs/protocol.md §7), as a pure decision over a verified roster. The toy runtime
 * and the browser simulator both call this, so the rule is written once.
 */
import { fromBase64url } from './bytes.js';
import { ProtocolError } from './errors.js';
import { verifyEnvelopeSignature, type EnvelopeWire } from './envelope.js';
import { parseReview, verifyReview } from './review.js';
import { findDevice, type RosterWire } from './roster.js';
import { reviewedDevices, type ToySettingsWire } from './toy-settings.js';

export type Refusal =
  | 'wrong_family'
  | 'not_voice'
  | 'unknown_sender'
  | 'sender_may_not_send'
  | 'bad_signature'
  | 'not_addressed'
  | 'replay'
  | 'stale_roster'
  | 'not_reviewed' // the sender is under review and no guardian's review came with the message (§11)
  | 'bad_review'; // a review came but is not a guardian's signature over this message for this toy

/** What the toy knows about review (§11): its verified settings and the review the server relayed. */
export interface ReviewGate {
  settings: ToySettingsWire | null;
  review: unknown;
  /**
   * The toy's current id, when the envelope addresses it by a former id of its own (it renewed its
   * identity since, §17.6): a review a guardian signed after the change names the id the server lists
   * the toy by now, and is for this toy too. Only the toy knows the ids it had, so only it sets this.
   */
  renewedId?: string;
}

/**
 * §11: a message from a device the toy's settings put under review plays only with a review by a
 * guardian of the roster the toy holds now, over this message for this toy. Messages from other
 * senders need none (a review relayed with them is ignored).
 */
export function reviewAdmission(envelope: EnvelopeWire, roster: RosterWire, toyId: string, gate: ReviewGate): Refusal | null {
  if (!reviewedDevices(gate.settings).includes(envelope.sender)) return null;
  if (gate.review === null || gate.review === undefined) return 'not_reviewed';
  try {
    const review = parseReview(gate.review);
    verifyReview(review, envelope, roster, gate.renewedId !== undefined && review.toyId === gate.renewedId ? gate.renewedId : toyId);
    return null;
  } catch {
    return 'bad_review';
  }
}

/**
 * Checks an envelope a toy received against the toy's current roster and the ids it has seen.
 * Returns null when it may be played (after the blob hash also matches on open), else the reason.
 * With `gate`, a message from a sender under review also needs a guardian's review (§11).
 */
export function toyAdmission(envelope: EnvelopeWire, roster: RosterWire, toyId: string, seen: (id: string) => boolean, gate?: ReviewGate): Refusal | null {
  if (envelope.familyId !== roster.familyId) return 'wrong_family';
  if (envelope.kind !== 'voice') return 'not_voice';
  if (!envelope.recipients.some((r) => r.deviceId === toyId)) return 'not_addressed';
  if (seen(envelope.id)) return 'replay';
  // The sender must be allowed by the roster the toy holds now: a device removed since it signed is refused.
  const sender = findDevice(roster, envelope.sender);
  if (!sender) return 'unknown_sender';
  if (sender.role === 'toy' || !sender.sendToToy) return 'sender_may_not_send';
  if (envelope.rosterVersion > roster.version) return 'stale_roster';
  if (!verifyEnvelopeSignature(envelope, fromBase64url(sender.signPublicKey, 32))) return 'bad_signature';
  return gate ? reviewAdmission(envelope, roster, toyId, gate) : null;
}

/** For a family device receiving from the toy: the sender must be a toy of the roster, signature valid. */
export function familyAdmission(envelope: EnvelopeWire, roster: RosterWire, selfId: string): Refusal | null {
  if (envelope.familyId !== roster.familyId) return 'wrong_family';
  if (!envelope.recipients.some((r) => r.deviceId === selfId)) return 'not_addressed';
  const sender = findDevice(roster, envelope.sender);
  if (!sender) return 'unknown_sender';
  if (!verifyEnvelopeSignature(envelope, fromBase64url(sender.signPublicKey, 32))) return 'bad_signature';
  return null;
}

export function assertAdmitted(refusal: Refusal | null): void {
  if (refusal) throw new ProtocolError(refusal === 'bad_signature' ? 'bad_signature' : 'not_authorized', `Refused: ${refusal}.`);
}
