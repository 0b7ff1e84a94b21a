/**
 * Review before play (docs/protocol.md §11). A guardian may put a family device under review for a
 * toy (its id is in the toy's signed settings, §10). The toy then plays a message from that device
 * only with a review: a guardian device's signature over the exact message it approves, for this
 * toy. The server holds such messages until a guardian approves, but the toy checks the review
 * itself, so a compromised server can neither skip the review nor forge one.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import type { EnvelopeWire } from './envelope.js';
import { parseId, type DeviceId, type FamilyId, type MessageId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import type { SignatureVerifier } from './signature.js';
import { findDevice, type RosterWire } from './roster.js';
import { Label, transcript } from './transcript.js';

/** A guardian's approval of one message for one toy. */
export interface ReviewWire {
  v: 1;
  familyId: FamilyId;
  toyId: DeviceId;
  messageId: MessageId;
  signer: DeviceId;
  signature: string;
}

/**
 * T("burrow/v1/review", [familyId, toyId, messageId, sender, blobHash, envelopeSignature]). Binding
 * the blob hash and the sender's envelope signature (not only the id) means the review approves the
 * recording the guardian heard: a sender cannot get a second envelope with the same id played on it.
 */
function reviewTranscript(envelope: EnvelopeWire, toyId: DeviceId): Bytes {
  const blobHash = envelope.blob ? fromBase64url(envelope.blob.hash, 32) : new Uint8Array(0);
  return transcript(Label.review, [envelope.familyId, toyId, envelope.id, envelope.sender, blobHash, fromBase64url(envelope.signature, 64)]);
}

/** A guardian device approves `envelope` for `toyId`. */
export function signReview(envelope: EnvelopeWire, toyId: DeviceId, signer: DeviceKeys): ReviewWire {
  const signature = toBase64url(sign(signer.signSecretKey, reviewTranscript(envelope, toyId)));
  return { v: 1, familyId: envelope.familyId, toyId, messageId: envelope.id, signer: signer.deviceId, signature };
}

/** MUST-rejects: a version tag other than 1, malformed ids, a signature that is not 64 bytes. */
export function parseReview(json: unknown): ReviewWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'review');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported review version.');
  const review: ReviewWire = {
    v: 1,
    familyId: parseId<FamilyId>(r.familyId, 'family id'),
    toyId: parseId<DeviceId>(r.toyId, 'toy id'),
    messageId: parseId<MessageId>(r.messageId, 'message id'),
    signer: parseId<DeviceId>(r.signer, 'signer'),
    signature: r.signature as string,
  };
  fromBase64url(review.signature, 64);
  return review;
}

/**
 * Throws unless `review` approves exactly `envelope` for `toyId` and is signed by a device `roster`
 * lists as guardian (the roster the toy holds now, so a removed guardian's review is refused).
 */
export function verifyReview(review: ReviewWire, envelope: EnvelopeWire, roster: RosterWire, toyId: string, verifier: SignatureVerifier = verify): void {
  if (review.familyId !== envelope.familyId || review.messageId !== envelope.id || review.toyId !== toyId || roster.familyId !== envelope.familyId) {
    throw new ProtocolError('not_authorized', 'The review is for another message or toy.');
  }
  const signer = findDevice(roster, review.signer);
  if (signer?.role !== 'guardian') throw new ProtocolError('not_authorized', 'The review is not signed by a guardian.');
  if (!verifier(fromBase64url(signer.signPublicKey, 32), reviewTranscript(envelope, review.toyId), fromBase64url(review.signature, 64))) {
    throw new ProtocolError('bad_signature', 'The review signature does not verify.');
  }
}
