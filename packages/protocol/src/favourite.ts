/**
 * Keeping a message on the toy as a favourite (docs/protocol.md §18). A guardian's device signs an
 * instruction naming the family, the toy and the message, and whether to keep it or let it go; the
 * toy keeps (or forgets) its copy only if a guardian of the roster it holds now signed it. Like a
 * deletion (§16) the server can withhold an instruction but never forge one, so it cannot make a toy
 * keep, replay or forget a favourite on its own.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { parseId, type DeviceId, type FamilyId, type MessageId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import { findDevice, type RosterWire } from './roster.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript } from './transcript.js';

/** How many favourites a toy keeps, like its five slots of unplayed messages (§7). */
export const FAVOURITE_SLOTS = 5;

/** A signed instruction to keep (or stop keeping) one message on one toy. */
export interface FavouriteWire {
  v: 1;
  familyId: FamilyId;
  toyId: DeviceId;
  messageId: MessageId;
  /** true: keep it on the toy; false: the toy forgets its kept copy. */
  keep: boolean;
  /** The guardian device that signed. */
  signer: DeviceId;
  /** When it was signed (ms): the toy applies an instruction only if it is newer than the last one for that message. */
  issuedAt: number;
  signature: string;
}

/** T("burrow/v1/favourite", [familyId, toyId, messageId, keep, signer, issuedAt]) */
function favouriteTranscript(f: Omit<FavouriteWire, 'v' | 'signature'>): Bytes {
  return transcript(Label.favourite, [f.familyId, f.toyId, f.messageId, f.keep, f.signer, f.issuedAt]);
}

/** The guardian device `signer` asks toy `toyId` to keep (or forget) message `messageId`. */
export function signFavourite(
  input: { familyId: string; toyId: string; messageId: string; keep: boolean; issuedAt: number },
  signer: DeviceKeys,
): FavouriteWire {
  expect(Number.isSafeInteger(input.issuedAt) && input.issuedAt >= 0, 'issuedAt');
  expect(typeof input.keep === 'boolean', 'keep');
  const body = {
    familyId: parseId<FamilyId>(input.familyId, 'family id'),
    toyId: parseId<DeviceId>(input.toyId, 'toy id'),
    messageId: parseId<MessageId>(input.messageId, 'message id'),
    keep: input.keep,
    signer: signer.deviceId,
    issuedAt: input.issuedAt,
  };
  return { v: 1, ...body, signature: toBase64url(sign(signer.signSecretKey, favouriteTranscript(body))) };
}

/** MUST-rejects: a version tag other than 1, malformed ids, a `keep` that is not a boolean, a non-counter issuedAt, a signature that is not 64 bytes. */
export function parseFavourite(json: unknown): FavouriteWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'favourite');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported favourite version.');
  expect(typeof r.keep === 'boolean', 'keep');
  expect(Number.isSafeInteger(r.issuedAt) && (r.issuedAt as number) >= 0, 'issuedAt');
  expect(typeof r.signature === 'string', 'signature');
  const f: FavouriteWire = {
    v: 1,
    familyId: parseId<FamilyId>(r.familyId, 'family id'),
    toyId: parseId<DeviceId>(r.toyId, 'toy id'),
    messageId: parseId<MessageId>(r.messageId, 'message id'),
    keep: r.keep,
    signer: parseId<DeviceId>(r.signer, 'signer'),
    issuedAt: r.issuedAt as number,
    signature: r.signature,
  };
  fromBase64url(f.signature, 64);
  return f;
}

/** Whether `favourite` is signed by the key `signPublicKey` (the server checks the caller's own). */
export function verifyFavouriteSignature(favourite: FavouriteWire, signPublicKey: string, verifier: SignatureVerifier = verify): boolean {
  try {
    return verifier(fromBase64url(signPublicKey, 32), favouriteTranscript(favourite), fromBase64url(favourite.signature, 64));
  } catch {
    return false;
  }
}

/**
 * Throws unless `favourite` is for `toyId` in the family of `roster` (the toy's, held now) and is
 * signed by a device that roster lists as a guardian.
 */
export function verifyFavourite(favourite: FavouriteWire, roster: RosterWire, toyId: string, verifier: SignatureVerifier = verify): void {
  if (favourite.familyId !== roster.familyId || favourite.toyId !== toyId) {
    throw new ProtocolError('not_authorized', 'The favourite is for another toy.');
  }
  const signer = findDevice(roster, favourite.signer);
  if (!signer || signer.role !== 'guardian') throw new ProtocolError('not_authorized', 'Only a guardian of the roster may keep favourites on the toy.');
  if (!verifyFavouriteSignature(favourite, signer.signPublicKey, verifier)) {
    throw new ProtocolError('bad_signature', 'The favourite signature does not verify.');
  }
}
