import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  considerKemKeyRecord,
  fromBase64url,
  generateDeviceKeys,
  isProtocolError,
  kemPublicKeyOf,
  KEM_RECORD_MAX_SKEW_MS,
  Label,
  newFamilyId,
  nextRosterBody,
  parseKemKeyRecord,
  parseRoster,
  rosterEntry,
  signKemKeyRecord,
  signRoster,
  toBase64url,
  transcript,
  verifyKemKeyRecord,
  type SealingKey,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';
import type { Vectors } from './testing/vectors.js';

const random = seededRandom('kem key record tests');
const mum = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const stranger = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const roster = signRoster(
  nextRosterBody(
    null,
    familyId,
    [
      rosterEntry(mum, 'guardian', { sendToToy: true, hearChild: true }),
      rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false }),
    ],
    1000,
  ),
  mum,
);
const NOW = 1_800_000_000_000;
const record = (epoch: number, signer = toy, notBefore = NOW) =>
  signKemKeyRecord(
    { deviceId: toy.deviceId, epoch, kemPublicKey: kemPublicKeyOf(random(32)), notBefore },
    signer.signSecretKey,
  );

test('a key record round-trips through JSON and verifies under the device identity key only', () => {
  const r = parseKemKeyRecord(JSON.parse(JSON.stringify(record(1))));
  assert.ok(verifyKemKeyRecord(r, toBase64url(toy.signPublicKey)));
  assert.equal(verifyKemKeyRecord(r, toBase64url(mum.signPublicKey)), false);
  assert.equal(
    verifyKemKeyRecord({ ...r, epoch: 2 }, toBase64url(toy.signPublicKey)),
    false,
    'the epoch is signed',
  );
});

test('parseKemKeyRecord rejects other versions, epoch 0, bad lengths and non-objects', () => {
  const good = record(1);
  const bad: [unknown, string][] = [
    [{ ...good, v: 2 }, 'unsupported_version'],
    [{ ...good, epoch: 0 }, 'malformed'],
    [{ ...good, epoch: 1.5 }, 'malformed'],
    [{ ...good, notBefore: -1 }, 'malformed'],
    [{ ...good, kemPublicKey: toBase64url(new Uint8Array(31)) }, 'malformed'],
    [{ ...good, signature: toBase64url(new Uint8Array(63)) }, 'malformed'],
    [{ ...good, deviceId: 'nope' }, 'malformed'],
    [[good], 'malformed'],
    [null, 'malformed'],
  ];
  for (const [input, code] of bad)
    assert.throws(
      () => parseKemKeyRecord(input),
      (e: unknown) => isProtocolError(e) && e.code === code,
      JSON.stringify(input),
    );
});

test('a sender takes a newer signed record, and refuses a forged, replayed, equivocating or future one', () => {
  const r1 = record(1);
  const r2 = record(2);
  const first = considerKemKeyRecord(r1, roster, undefined, NOW);
  assert.ok('accept' in first && first.accept.epoch === 1);
  const pinned: SealingKey = { deviceId: toy.deviceId, epoch: 2, kemPublicKey: r2.kemPublicKey };
  assert.deepEqual(
    considerKemKeyRecord(r2, roster, pinned, NOW),
    { accept: pinned },
    'the pinned record again is fine',
  );
  assert.deepEqual(considerKemKeyRecord(r1, roster, pinned, NOW), { refuse: 'replayed' });
  assert.deepEqual(considerKemKeyRecord(record(2), roster, pinned, NOW), { refuse: 'equivocation' });
  assert.deepEqual(considerKemKeyRecord(record(3, stranger), roster, pinned, NOW), {
    refuse: 'bad_signature',
  });
  assert.deepEqual(
    considerKemKeyRecord({ ...record(3), kemPublicKey: r1.kemPublicKey }, roster, pinned, NOW),
    { refuse: 'bad_signature' },
  );
  assert.deepEqual(
    considerKemKeyRecord(record(3, toy, NOW + KEM_RECORD_MAX_SKEW_MS + 1), roster, pinned, NOW),
    { refuse: 'not_yet_valid' },
  );
  const strangerRecord = signKemKeyRecord(
    { deviceId: stranger.deviceId, epoch: 1, kemPublicKey: kemPublicKeyOf(random(32)), notBefore: NOW },
    stranger.signSecretKey,
  );
  assert.deepEqual(considerKemKeyRecord(strangerRecord, roster, undefined, NOW), { refuse: 'not_in_roster' });
  const r3 = considerKemKeyRecord(record(3), roster, pinned, NOW);
  assert.ok('accept' in r3 && r3.accept.epoch === 3);
});

test('the vector key record (docs/protocol.md §14.4) verifies against the vector roster from the file alone', () => {
  const stored = JSON.parse(
    readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8'),
  ) as Vectors;
  const v = stored.kemKeyRecord;
  const r = parseKemKeyRecord(v.record);
  assert.equal(r.kemPublicKey, toBase64url(kemPublicKeyOf(fromBase64url(v.kemSeed, 32))));
  assert.equal(
    bytesToHex(
      transcript(Label.kemKey, [r.deviceId, r.epoch, fromBase64url(r.kemPublicKey, 32), r.notBefore]),
    ),
    v.transcriptHex,
  );
  const result = considerKemKeyRecord(r, parseRoster(stored.rosters.v2), undefined, r.notBefore);
  assert.ok(
    'accept' in result && result.accept.deviceId === stored.devices.toy.deviceId && result.accept.epoch === 1,
  );
});
