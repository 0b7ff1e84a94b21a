/**
 * Child profiles (docs/protocol.md §15.1): a writer seals a name, a birthday and a small JPEG or WebP
 * photo and refuses anything else; the largest profile it accepts fits the sealed limit a server
 * enforces; a reader keeps the name and drops a birthday or photo that does not check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  childProfileMeta,
  fromBase64url,
  generateDeviceKeys,
  isBirthday,
  MAX_CHILD_NAME_LENGTH,
  MAX_CHILD_PHOTO_BYTES,
  MAX_SEALED_CHILD_PROFILE_BYTES,
  newFamilyId,
  newMessageId,
  openEnvelope,
  readChildProfile,
  sealEnvelope,
  toBase64url,
  type ChildPhoto,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('child profile tests');
const mum = generateDeviceKeys(random);
const gran = generateDeviceKeys(random);
const familyId = newFamilyId(random);

/** `size` bytes that start as a JPEG (or WebP) does; the rest random. */
function image(type: ChildPhoto['type'], size: number): ChildPhoto {
  const bytes = random(size);
  if (type === 'image/jpeg') bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  else {
    bytes.set([0x52, 0x49, 0x46, 0x46]);
    bytes.set([0x57, 0x45, 0x42, 0x50], 8);
  }
  return { type, data: toBase64url(bytes) };
}

function refused(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

test('a profile with a birthday and a photo is sealed and read back; the largest one fits the sealed limit', async () => {
  for (const type of ['image/jpeg', 'image/webp'] as const) {
    const profile = { childName: 'Sam', birthday: '2019-05-17', photo: image(type, 5000) };
    const meta = childProfileMeta(profile, '2026-12-02');
    const { envelope } = await sealEnvelope({
      kind: 'record', id: newMessageId(random), familyId, sender: mum, rosterVersion: 1, createdAt: 1,
      recipients: [{ deviceId: gran.deviceId, kemPublicKey: gran.kemPublicKey }], meta, random,
    });
    const opened = await openEnvelope(envelope, null, gran);
    assert.deepEqual(readChildProfile(opened.meta), profile);
  }
  // The longest name (in 3-byte characters), a birthday and the largest photo: within both limits.
  const largest = childProfileMeta({ childName: '€'.repeat(MAX_CHILD_NAME_LENGTH), birthday: '1900-01-01', photo: image('image/webp', MAX_CHILD_PHOTO_BYTES) });
  const { envelope } = await sealEnvelope({
    kind: 'record', id: newMessageId(random), familyId, sender: mum, rosterVersion: 1, createdAt: 1,
    recipients: [{ deviceId: gran.deviceId, kemPublicKey: gran.kemPublicKey }], meta: largest, random,
  });
  assert.ok(fromBase64url(envelope.meta).length <= MAX_SEALED_CHILD_PROFILE_BYTES);
  // Name only, as every profile sealed before birthdays existed.
  assert.deepEqual(readChildProfile(childProfileMeta({ childName: 'Sam' })), { childName: 'Sam' });
});

test('a writer refuses a birthday that is not a past date, a photo that is too large or not a JPEG or WebP, and a bad name', () => {
  for (const birthday of ['2019-02-29', '2019-13-01', '2019-00-10', '2019-04-31', '19-01-01', '2019-1-1', '1899-12-31', '2019-05-17T00:00', ''])
    assert.equal(refused(() => childProfileMeta({ childName: 'Sam', birthday })), 'malformed', birthday);
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', birthday: '2020-02-29' })), 'accepted', 'a leap day');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', birthday: '2026-12-03' }, '2026-12-02')), 'malformed', 'tomorrow');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', birthday: '2026-12-02' }, '2026-12-02')), 'accepted', 'born today');

  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: image('image/jpeg', MAX_CHILD_PHOTO_BYTES) })), 'accepted');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: image('image/jpeg', MAX_CHILD_PHOTO_BYTES + 1) })), 'malformed', 'one byte too many');
  const png = random(2000);
  png.set([0x89, 0x50, 0x4e, 0x47]);
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: { type: 'image/jpeg', data: toBase64url(png) } })), 'malformed', 'a PNG called a JPEG');
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: { type: 'image/svg+xml' as 'image/jpeg', data: toBase64url(svg) } })), 'malformed', 'SVG');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: { type: 'image/webp', data: image('image/jpeg', 100).data } })), 'malformed', 'a JPEG called a WebP');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: { type: 'image/jpeg', data: '' } })), 'malformed', 'empty');
  assert.equal(refused(() => childProfileMeta({ childName: 'Sam', photo: { type: 'image/jpeg', data: '/+8=' } })), 'malformed', 'not base64url');

  assert.equal(refused(() => childProfileMeta({ childName: '  ' })), 'malformed', 'blank name');
  assert.equal(refused(() => childProfileMeta({ childName: 'x'.repeat(MAX_CHILD_NAME_LENGTH + 1) })), 'malformed', 'long name');
});

test('a reader keeps the name and drops a birthday or photo that does not check; no name, no profile', () => {
  const png = random(100);
  png.set([0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(
    readChildProfile({ childName: 'Sam', birthday: '2019-02-30', photo: { type: 'image/jpeg', data: toBase64url(png) }, extra: 1 }),
    { childName: 'Sam' },
  );
  assert.deepEqual(readChildProfile({ childName: 'Sam', birthday: 20190517, photo: 'x' }), { childName: 'Sam' });
  assert.equal(readChildProfile({ toyName: 'Bunny' }), null);
  assert.equal(isBirthday('2019-05-17'), true);
  assert.equal(isBirthday(null), false);
});
