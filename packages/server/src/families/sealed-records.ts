/**
 * Family records a guardian's device seals for the family (child profiles, toy names): the one check
 * both go through, so what "sealed by a guardian device" means is written once. The server cannot
 * open a record; it checks what it can without keys — the kind, the family, that the device making
 * the request sealed and signed it, that this device is a guardian in the current roster, and that
 * every recipient is a device the roster lists.
 */
import {
  findDevice,
  fromBase64url,
  parseEnvelope,
  verifyEnvelopeSignature,
  type EnvelopeWire,
  type RosterWire,
} from '@burrow/protocol';
import type { Db } from '../db/index.js';
import { badRequest, forbidden, refuse } from '../errors/index.js';
import { nativeVerify } from '../signatures/native-ed25519.js';
import { currentRoster } from './rosters.js';

/** How the record is named in error messages, and who may receive it. */
export interface SealedRecordRules {
  /** Sentence for a wrong kind, e.g. 'A child profile is a sealed record (kind "record").' */
  kindMessage: string;
  /** The record's name at the start of a sentence: 'The profile', 'The name record'. */
  noun: string;
  /** `people`: only persons' devices may be recipients (toys never read it); `devices`: any roster device. */
  recipients: 'devices' | 'people';
  /** Who may seal it: a guardian device (the default), or any person's device of the roster (a member's own name). */
  sealer?: 'guardian' | 'person';
  /**
   * The largest sealed metadata this kind of record may carry, in bytes (below the envelope's own
   * limit): the server cannot read a record, but it can keep one from growing (a child's photo).
   */
  maxSealedMetaBytes?: number;
  /** The sentence for a record over maxSealedMetaBytes (answered 413). */
  tooLargeMessage?: string;
}

/**
 * Parses `json` as a sealed record of `familyId` sealed and signed by `deviceId`, a guardian device
 * of the current roster, addressed only to devices that roster lists (`rules.recipients`).
 * Bad input → 400; a device that is not a guardian in the roster → 403.
 */
export async function checkSealedByGuardianDevice(
  db: Db,
  familyId: string,
  deviceId: string,
  json: unknown,
  rules: SealedRecordRules,
): Promise<{ record: EnvelopeWire; roster: RosterWire }> {
  const record = parseEnvelope(json);
  if (record.kind !== 'record') throw badRequest('record_malformed', rules.kindMessage);
  if (record.familyId !== familyId) throw badRequest('wrong_family', `${rules.noun} belongs to another family.`);
  if (record.sender !== deviceId) throw badRequest('signer_not_caller', `${rules.noun} must be sealed by the device making this request.`);
  if (rules.maxSealedMetaBytes !== undefined && fromBase64url(record.meta).length > rules.maxSealedMetaBytes)
    throw refuse('payload_too_large', 'record_too_large', rules.tooLargeMessage ?? `${rules.noun} is too large.`);
  const current = await currentRoster(db, familyId);
  const sender = current && findDevice(current.roster, deviceId);
  if (rules.sealer === 'person') {
    if (!current || !sender || sender.role === 'toy') throw forbidden('device_not_in_roster', 'This device is not in the family roster.');
  } else if (!current || sender?.role !== 'guardian') throw forbidden('guardian_device_required', 'This device is not a guardian in the family roster.');
  if (!verifyEnvelopeSignature(record, fromBase64url(sender.signPublicKey, 32), nativeVerify))
    throw badRequest('signature_invalid', `${rules.noun} signature does not verify.`);
  for (const r of record.recipients) {
    const d = findDevice(current.roster, r.deviceId);
    if (rules.recipients === 'people') {
      if (!d || d.role === 'toy') throw badRequest('recipient_invalid', `Recipient ${r.deviceId} is not a person's device in the family roster.`);
    } else if (!d) throw badRequest('recipient_invalid', `Recipient ${r.deviceId} is not in the family roster.`);
  }
  return { record, roster: current.roster };
}
