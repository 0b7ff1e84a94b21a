/**
 * Deleting a message the toy has not played (docs/protocol.md §16). Its sender or a guardian deletes
 * a message on the server; the toy may already hold it in a slot. The deleting device signs an
 * instruction naming the family and the message; the toy drops the queued message only if a device
 * of the roster it holds now signed it and that device may delete it — the message's own sender, or a
 * guardian. A server can withhold an instruction (the message then plays, as if deleted too late),
 * never forge one: it cannot make the toy drop a message nobody allowed to delete it asked to.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import type { EnvelopeWire } from './envelope.js';
import { parseId, type DeviceId, type FamilyId, type MessageId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import { findDevice, type RosterWire } from './roster.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript } from './transcript.js';

/** A signed instruction to delete one message of a family. */
export interface DeletionWire {
  v: 1;
  familyId: FamilyId;
  messageId: MessageId;
  /** The device that signed (the sender of the message, or a guardian device). */
  signer: DeviceId;
  /** When it was signed (ms); informative, the toy does not need it to decide. */
  issuedAt: number;
  signature: string;
}

/** T("burrow/v1/delete-message", [familyId, messageId, signer, issuedAt]) */
function deletionTranscript(d: Omit<DeletionWire, 'v' | 'signature'>): Bytes {
  return transcript(Label.deletion, [d.familyId, d.messageId, d.signer, d.issuedAt]);
}

/** The device `signer` asks for message `messageId` of `familyId` to be deleted. */
export function signDeletion(input: { familyId: string; messageId: string; issuedAt: number }, signer: DeviceKeys): DeletionWire {
  expect(Number.isSafeInteger(input.issuedAt) && input.issuedAt >= 0, 'issuedAt');
  const body = {
    familyId: parseId<FamilyId>(input.familyId, 'family id'),
    messageId: parseId<MessageId>(input.messageId, 'message id'),
    signer: signer.deviceId,
    issuedAt: input.issuedAt,
  };
  return { v: 1, ...body, signature: toBase64url(sign(signer.signSecretKey, deletionTranscript(body))) };
}

/** MUST-rejects: a version tag other than 1, malformed ids, a non-counter issuedAt, a signature that is not 64 bytes. */
export function parseDeletion(json: unknown): DeletionWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'deletion');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported deletion version.');
  expect(Number.isSafeInteger(r.issuedAt) && (r.issuedAt as number) >= 0, 'issuedAt');
  expect(typeof r.signature === 'string', 'signature');
  const d: DeletionWire = {
    v: 1,
    familyId: parseId<FamilyId>(r.familyId, 'family id'),
    messageId: parseId<MessageId>(r.messageId, 'message id'),
    signer: parseId<DeviceId>(r.signer, 'signer'),
    issuedAt: r.issuedAt as number,
    signature: r.signature,
  };
  fromBase64url(d.signature, 64);
  return d;
}

/** Whether `deletion` is signed by the key `signPublicKey` (the server checks the caller's own). */
export function verifyDeletionSignature(deletion: DeletionWire, signPublicKey: string, verifier: SignatureVerifier = verify): boolean {
  try {
    return verifier(fromBase64url(signPublicKey, 32), deletionTranscript(deletion), fromBase64url(deletion.signature, 64));
  } catch {
    return false;
  }
}

/**
 * Throws unless `deletion` names `envelope` (same family, same id), `roster` (the toy's, held now) is
 * that family's, and it is signed by a device of `roster` that is the envelope's sender or a guardian.
 */
export function verifyDeletion(deletion: DeletionWire, envelope: EnvelopeWire, roster: RosterWire, verifier: SignatureVerifier = verify): void {
  if (deletion.familyId !== envelope.familyId || deletion.messageId !== envelope.id || roster.familyId !== envelope.familyId) {
    throw new ProtocolError('not_authorized', 'The deletion is for another message.');
  }
  const signer = findDevice(roster, deletion.signer);
  if (!signer) throw new ProtocolError('not_authorized', 'The deletion is not signed by a device of the roster.');
  if (signer.id !== envelope.sender && signer.role !== 'guardian') {
    throw new ProtocolError('not_authorized', 'Only the sender or a guardian may delete this message.');
  }
  if (!verifyDeletionSignature(deletion, signer.signPublicKey, verifier)) {
    throw new ProtocolError('bad_signature', 'The deletion signature does not verify.');
  }
}
