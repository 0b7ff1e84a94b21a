/**
 * Builds the protocol's test vectors deterministically (docs/protocol.md §9). The checked-in file
 * test-vectors/v1.json was written by scripts/make-vectors.ts from this function; vectors.test.ts
 * checks that every implementation path reproduces and opens it.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { toBase64url } from '../bytes.js';
import { sealEnvelope } from '../envelope.js';
import { deviceKeysFromSeeds, makeDeviceProof, type DeviceKeys } from '../keys.js';
import { pairingKey, rosterTag, toyKeysTag, type PairingCode } from '../pairing.js';
import { nextRosterBody, rosterEntry, rosterHash, signRoster, type RosterWire } from '../roster.js';
import { signToySettings, type ToySettingsWire } from '../toy-settings.js';
import { signReview, type ReviewWire } from '../review.js';
import { signDeletion, type DeletionWire } from '../deletion.js';
import { signFavourite, type FavouriteWire } from '../favourite.js';
import { deviceFingerprint } from '../fingerprint.js';
import { kemPublicKeyOf, signKemKeyRecord, type KemKeyRecord } from '../kem-key-record.js';
import { countersignSuccession, signSuccessionRequest, successorEntry, type SuccessionWire } from '../succession.js';
import { Label, transcript } from '../transcript.js';
import type { FamilyId, MessageId } from '../ids.js';
import { seededRandom } from './seeded-random.js';

export interface VectorDevice {
  signSeed: string;
  kemSeed: string;
  deviceId: string;
  signPublicKey: string;
  kemPublicKey: string;
  proof: string;
}

export interface Vectors {
  description: string;
  transcript: { label: string; fields: (string | number)[]; hex: string };
  devices: { guardian: VectorDevice; grandma: VectorDevice; toy: VectorDevice };
  rosters: { v1: RosterWire; v2: RosterWire; hashV1: string; hashV2: string };
  pairing: { code: PairingCode; key: string; keysTag: string; rosterTag: string };
  message: { envelope: unknown; blob: string; payload: string; meta: unknown; ephemeralSeeds: string[] };
  /** Quiet hours 21:00-07:00 in Paris for the toy, signed by the guardian (§10). */
  toySettings: ToySettingsWire;
  /** Version 2 of the record: the same hours, volume 40, grandma under review (§10, §11). */
  toySettingsV2: ToySettingsWire;
  /** The guardian's review of the vector message for the toy (§11). */
  review: ReviewWire;
  /** Fingerprints of the three vector devices (§12). */
  fingerprints: { guardian: string; grandma: string; toy: string };
  /** The toy's first rotated KEM key (§14): its seed, the record it signs, the record's transcript. */
  kemKeyRecord: { kemSeed: string; record: KemKeyRecord; transcriptHex: string };
  /** The guardian's instruction to delete the vector message, and its transcript (§16). */
  deletion: { instruction: DeletionWire; transcriptHex: string };
  /**
   * Grandma's device renews its identity (§17): its new key set, roster v3 (the guardian swaps the
   * entry), the succession cross-signed by both identities and countersigned by the guardian, and
   * the transcript both identities signed.
   */
  succession: { successor: VectorDevice; rosterV3: RosterWire; succession: SuccessionWire; requestTranscriptHex: string };
  /**
   * The toy renews its own identity (§17.6): its new key set, roster v4 (the guardian swaps the toy's
   * entry in v3), and the succession both toy identities signed, countersigned for version 4.
   */
  toySuccession: { successor: VectorDevice; rosterV4: RosterWire; succession: SuccessionWire };
  /** The guardian asks the toy to keep the vector message as a favourite, and the transcript it signed (§18). */
  favourite: { instruction: FavouriteWire; transcriptHex: string };
}

function device(name: string): { keys: DeviceKeys; vector: VectorDevice } {
  const r = seededRandom(`burrow vectors ${name}`);
  const signSeed = r(32);
  const kemSeed = r(32);
  const keys = deviceKeysFromSeeds(signSeed, kemSeed);
  return {
    keys,
    vector: {
      signSeed: toBase64url(signSeed),
      kemSeed: toBase64url(kemSeed),
      deviceId: keys.deviceId,
      signPublicKey: toBase64url(keys.signPublicKey),
      kemPublicKey: toBase64url(keys.kemPublicKey),
      proof: makeDeviceProof(keys, name.startsWith('toy') ? 'toy' : 'device'),
    },
  };
}

export async function buildVectors(): Promise<Vectors> {
  const guardian = device('guardian');
  const grandma = device('grandma');
  const toy = device('toy');
  const familyId = toBase64url(seededRandom('family')(16)) as FamilyId;
  const v1 = signRoster(nextRosterBody(null, familyId, [rosterEntry(guardian.keys, 'guardian', { sendToToy: true, hearChild: true })], 1_790_000_000_000), guardian.keys);
  const v2 = signRoster(
    nextRosterBody(v1, familyId, [...v1.devices, rosterEntry(grandma.keys, 'member', { sendToToy: true, hearChild: true }), rosterEntry(toy.keys, 'toy', { sendToToy: false, hearChild: false })], 1_790_000_060_000),
    guardian.keys,
  );
  const code: PairingCode = { lookup: 'K7Q2MX', secret: '9TRV4DNH8ZCE' };
  const key = pairingKey(code);
  const payload = new TextEncoder().encode('OggS fake opus payload for vectors');
  const meta = { senderName: 'Grandma', mimeType: 'audio/ogg', durationMs: 1200 };
  const ephemeralSeeds = [seededRandom('eph-0')(32), seededRandom('eph-1')(32)];
  const sealed = await sealEnvelope({
    kind: 'voice',
    id: toBase64url(seededRandom('message')(16)) as MessageId,
    familyId,
    sender: grandma.keys,
    rosterVersion: 2,
    createdAt: 1_790_000_120_000,
    recipients: [
      { deviceId: toy.keys.deviceId, kemPublicKey: toy.keys.kemPublicKey },
      { deviceId: guardian.keys.deviceId, kemPublicKey: guardian.keys.kemPublicKey },
    ],
    meta,
    payload,
    random: seededRandom('seal'),
    ephemeralSeeds,
  });
  const fields = ['burrow', 7];
  const rotatedSeed = seededRandom('toy kem epoch 1')(32);
  const rotated = signKemKeyRecord({ deviceId: toy.keys.deviceId, epoch: 1, kemPublicKey: kemPublicKeyOf(rotatedSeed), notBefore: 1_790_604_800_000 }, toy.keys.signSecretKey);
  const grandma2 = device('grandma renewed');
  const request = signSuccessionRequest({ familyId, issuedAt: 1_790_000_470_000 }, grandma.keys, grandma2.keys);
  const v3 = signRoster(
    nextRosterBody(v2, familyId, v2.devices.map((d) => (d.id === grandma.keys.deviceId ? successorEntry(request, d) : d)), 1_790_000_480_000),
    guardian.keys,
  );
  const succession = countersignSuccession(request, v3.version, guardian.keys);
  const toy2 = device('toy renewed');
  const toyRequest = signSuccessionRequest({ familyId, issuedAt: 1_790_000_500_000 }, toy.keys, toy2.keys);
  const v4 = signRoster(
    nextRosterBody(v3, familyId, v3.devices.map((d) => (d.id === toy.keys.deviceId ? successorEntry(toyRequest, d) : d)), 1_790_000_510_000),
    guardian.keys,
  );
  const favourite = signFavourite({ familyId, toyId: toy.keys.deviceId, messageId: sealed.envelope.id, keep: true, issuedAt: 1_790_000_490_000 }, guardian.keys);
  const deletion = signDeletion({ familyId, messageId: sealed.envelope.id, issuedAt: 1_790_000_420_000 }, guardian.keys);
  return {
    description: 'Burrow protocol v1 test vectors. Regenerate with `npm run vectors`; see docs/protocol.md §9.',
    transcript: { label: 'burrow/v1/example', fields, hex: bytesToHex(transcript('burrow/v1/example', fields)) },
    devices: { guardian: guardian.vector, grandma: grandma.vector, toy: toy.vector },
    rosters: { v1, v2, hashV1: rosterHash(v1), hashV2: rosterHash(v2) },
    pairing: {
      code,
      key: toBase64url(key),
      keysTag: toyKeysTag(key, { toyId: toy.keys.deviceId, signPublicKey: toy.vector.signPublicKey, kemPublicKey: toy.vector.kemPublicKey }),
      rosterTag: rosterTag(key, toy.keys.deviceId, v2),
    },
    message: { envelope: sealed.envelope, blob: toBase64url(sealed.blob!), payload: toBase64url(payload), meta, ephemeralSeeds: ephemeralSeeds.map(toBase64url) },
    toySettings: signToySettings({ v: 1, familyId, toyId: toy.keys.deviceId, version: 1, issuedAt: 1_790_000_300_000, timeZone: 'Europe/Paris', quietHours: { start: 21 * 60, end: 7 * 60 } }, guardian.keys),
    toySettingsV2: signToySettings(
      { v: 2, familyId, toyId: toy.keys.deviceId, version: 2, issuedAt: 1_790_000_360_000, timeZone: 'Europe/Paris', quietHours: { start: 21 * 60, end: 7 * 60 }, volume: 40, review: [grandma.keys.deviceId] },
      guardian.keys,
    ),
    review: signReview(sealed.envelope, toy.keys.deviceId, guardian.keys),
    fingerprints: { guardian: deviceFingerprint(guardian.vector), grandma: deviceFingerprint(grandma.vector), toy: deviceFingerprint(toy.vector) },
    kemKeyRecord: {
      kemSeed: toBase64url(rotatedSeed),
      record: rotated,
      transcriptHex: bytesToHex(transcript(Label.kemKey, [rotated.deviceId, rotated.epoch, kemPublicKeyOf(rotatedSeed), rotated.notBefore])),
    },
    deletion: {
      instruction: deletion,
      transcriptHex: bytesToHex(transcript(Label.deletion, [deletion.familyId, deletion.messageId, deletion.signer, deletion.issuedAt])),
    },
    succession: {
      successor: grandma2.vector,
      rosterV3: v3,
      succession,
      requestTranscriptHex: bytesToHex(
        transcript(Label.succession, [familyId, request.from, request.to, grandma2.keys.signPublicKey, grandma2.keys.kemPublicKey, request.issuedAt]),
      ),
    },
    toySuccession: { successor: toy2.vector, rosterV4: v4, succession: countersignSuccession(toyRequest, v4.version, guardian.keys) },
    favourite: {
      instruction: favourite,
      transcriptHex: bytesToHex(transcript(Label.favourite, [favourite.familyId, favourite.toyId, favourite.messageId, favourite.keep, favourite.signer, favourite.issuedAt])),
    },
  };
}
