import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  fromBase64url,
  generateDeviceKeys,
  MAX_CHILD_PROFILE_BYTES,
  MAX_SEALED_CHILD_PROFILE_BYTES,
  newFamilyId,
  newMessageId,
  sealEnvelope,
  secureRandom,
  type RosterWire,
} from '@burrow/protocol';
import {
  admit,
  entry,
  expectStatus,
  family,
  genesis,
  person,
  publish,
  sealedRecord,
  successor,
  type Family,
} from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

interface FamilyView {
  familyId: string;
  role: string;
  roster: RosterWire;
  children: { childId: string; profile: { id: string } }[];
  toys: unknown[];
}

test('a guardian creates a family from a genesis roster and becomes its guardian', async () => {
  const mum = await person(call, 'mum');
  const roster = genesis(mum.keys);
  const res = await call('POST', '/v1/families', { ...mum.as, body: { roster } });
  expectStatus(res, 201);
  assert.deepEqual(res.json, { familyId: roster.familyId });
  const me = await call<{ families: unknown[]; devices: unknown[] }>('GET', '/v1/me', { token: mum.token });
  assert.deepEqual(me.json.families, [{ familyId: roster.familyId, role: 'guardian' }]);
  assert.deepEqual(me.json.devices, [{ deviceId: mum.keys.deviceId }]);
  const view = await call<FamilyView>('GET', `/v1/families/${roster.familyId}`, { token: mum.token });
  expectStatus(view, 200);
  assert.equal(view.json.role, 'guardian');
  assert.deepEqual(view.json.roster, roster);
  assert.deepEqual(view.json.children, []);
  assert.deepEqual(view.json.toys, []);
});

test('createFamily needs the acting device: without X-Burrow-Device it is a 400', async () => {
  const mum = await person(call, 'mum');
  const res = await call('POST', '/v1/families', { token: mum.token, body: { roster: genesis(mum.keys) } });
  expectStatus(res, 400);
});

test('a genesis roster must be signed by the calling device, list it as the only guardian, and list only registered devices', async () => {
  const mum = await person(call, 'mum');
  const dad = await person(call, 'dad');
  const stranger = generateDeviceKeys(secureRandom);
  const cases: [string, RosterWire][] = [
    ["signed by another person's device", genesis(dad.keys)],
    ['with two guardians', genesis(mum.keys, undefined, [entry(dad.keys, 'guardian')])],
    ['listing an unregistered device', genesis(mum.keys, undefined, [entry(stranger, 'member')])],
  ];
  for (const [what, roster] of cases) {
    const res = await call('POST', '/v1/families', { ...mum.as, body: { roster } });
    expectStatus(res, 400, what);
  }
  const tampered = { ...genesis(mum.keys), issuedAt: 1 };
  expectStatus(
    await call('POST', '/v1/families', { ...mum.as, body: { roster: tampered } }),
    400,
    'bad signature',
  );
  assert.deepEqual(
    (await call<{ families: unknown[] }>('GET', '/v1/me', { token: mum.token })).json.families,
    [],
  );
});

test('a family id that is taken is a 409', async () => {
  const mum = await person(call, 'mum');
  const dad = await person(call, 'dad');
  const familyId = newFamilyId(secureRandom);
  expectStatus(
    await call('POST', '/v1/families', { ...mum.as, body: { roster: genesis(mum.keys, familyId) } }),
    201,
  );
  expectStatus(
    await call('POST', '/v1/families', { ...dad.as, body: { roster: genesis(dad.keys, familyId) } }),
    409,
  );
  // Dad did not become a member of mum's family.
  expectStatus(await call('GET', `/v1/families/${familyId}`, { token: dad.token }), 404);
});

test('a guardian adds a child as a sealed record; the server stores the envelope only', async () => {
  const fam = await family(call);
  const view = await call<FamilyView>('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token });
  assert.equal(view.json.children.length, 1);
  assert.equal(view.json.children[0]?.childId, fam.childId);
  const row = await server.db
    .selectFrom('children')
    .select('profile_ciphertext')
    .where('id', '=', fam.childId)
    .executeTakeFirstOrThrow();
  assert.ok(!row.profile_ciphertext.includes('Mia'), 'the child name is sealed');
  assert.equal((JSON.parse(row.profile_ciphertext) as { kind: string }).kind, 'record');
});

test('a child profile must be a record for this family, sealed and signed by the calling device', async () => {
  const fam = await family(call);
  const other = await family(call);
  const path = `/v1/families/${fam.familyId}/children`;
  const wrongFamily = await sealedRecord(fam.guardian.keys, other.roster);
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { profile: wrongFamily } }),
    400,
    'other family',
  );
  const tampered = { ...(await sealedRecord(fam.guardian.keys, fam.roster)), createdAt: 5 };
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { profile: tampered } }),
    400,
    'bad signature',
  );
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { profile: { v: 1 } } }),
    400,
    'malformed',
  );
});

test('a child profile over the sealed limit (a photo too large) is refused with 413 and nothing is stored; one at the limit is taken', async () => {
  const fam = await family(call);
  /** A profile record whose metadata JSON is `bytes` long: a name and a photo padded to fit. */
  const profileOf = async (bytes: number) => {
    const base = JSON.stringify({ childName: 'Mia', photo: { type: 'image/jpeg', data: '' } }).length;
    const { envelope } = await sealEnvelope({
      kind: 'record',
      id: newMessageId(secureRandom),
      familyId: fam.roster.familyId,
      sender: fam.guardian.keys,
      rosterVersion: fam.roster.version,
      createdAt: Date.now(),
      recipients: [{ deviceId: fam.guardian.keys.deviceId, kemPublicKey: fam.guardian.keys.kemPublicKey }],
      meta: { childName: 'Mia', photo: { type: 'image/jpeg', data: 'A'.repeat(bytes - base) } },
      random: secureRandom,
    });
    return envelope;
  };
  const tooLarge = await profileOf(MAX_CHILD_PROFILE_BYTES + 1);
  const atLimit = await profileOf(MAX_CHILD_PROFILE_BYTES);
  assert.equal(fromBase64url(atLimit.meta).length, MAX_SEALED_CHILD_PROFILE_BYTES);
  assert.ok(fromBase64url(tooLarge.meta).length > MAX_SEALED_CHILD_PROFILE_BYTES);
  const stored = async () =>
    (await server.db.selectFrom('children').select(['id', 'profile_ciphertext']).where('family_id', '=', fam.familyId).execute()).map(
      (r) => `${r.id}:${r.profile_ciphertext}`,
    );
  const before = await stored();

  const created = await call<{ error: { code: string; message: string } }>('POST', `/v1/families/${fam.familyId}/children`, { ...fam.guardian.as, body: { profile: tooLarge } });
  expectStatus(created, 413, 'a new child with too large a profile');
  assert.equal(created.json.error.code, 'payload_too_large');
  assert.match(created.json.error.message, /too large/);
  const replaced = await call('PUT', `/v1/families/${fam.familyId}/children/${fam.childId}/profile`, { ...fam.guardian.as, body: { profile: tooLarge } });
  expectStatus(replaced, 413, 'a profile replaced by one too large');
  assert.deepEqual(await stored(), before, 'nothing stored, the old profile kept');

  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/children/${fam.childId}/profile`, { ...fam.guardian.as, body: { profile: atLimit } }), 204, 'at the limit');
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/children`, { ...fam.guardian.as, body: { profile: atLimit } }), 201, 'at the limit');
});

test('rosters are published in a chain and listed in ascending order after a version', async () => {
  const fam = await family(call);
  const gran = await person(call, 'gran');
  await publish(call, fam, [
    ...fam.roster.devices,
    entry(gran.keys, 'member', { sendToToy: true, hearChild: false }),
  ]);
  const v3 = await publish(
    call,
    fam,
    fam.roster.devices.filter((d) => d.id !== gran.keys.deviceId),
  );
  const all = await call<{ rosters: RosterWire[] }>('GET', `/v1/families/${fam.familyId}/rosters`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(
    all.json.rosters.map((r) => r.version),
    [1, 2, 3],
  );
  const after2 = await call<{ rosters: RosterWire[] }>(
    'GET',
    `/v1/families/${fam.familyId}/rosters?after=2`,
    { token: fam.guardian.token },
  );
  assert.deepEqual(after2.json.rosters, [v3]);
});

test('membership follows the roster: listed people become members, removed ones lose access', async () => {
  const fam = await family(call);
  const gran = await person(call, 'gran');
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: gran.token }), 404);
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  const view = await call<FamilyView>('GET', `/v1/families/${fam.familyId}`, { token: gran.token });
  expectStatus(view, 200);
  assert.equal(view.json.role, 'member');
  await publish(
    call,
    fam,
    fam.roster.devices.filter((d) => d.id !== gran.keys.deviceId),
  );
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: gran.token }), 404);
});

test('a roster that does not chain, skips a version, or is signed by a non-guardian is refused with 400', async () => {
  const fam: Family = await family(call);
  const gran = await person(call, 'gran');
  const path = `/v1/families/${fam.familyId}/rosters`;
  const withGran = successor(
    fam.roster,
    [...fam.roster.devices, entry(gran.keys, 'member')],
    fam.guardian.keys,
  );
  const skipped = { ...successor(withGran, withGran.devices, fam.guardian.keys) };
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { roster: skipped } }),
    400,
    'skips a version',
  );
  const signedByGran = successor(
    fam.roster,
    [...fam.roster.devices, entry(gran.keys, 'guardian')],
    gran.keys,
  );
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { roster: signedByGran } }),
    400,
    'not signed by the caller',
  );
  const unregistered = successor(
    fam.roster,
    [...fam.roster.devices, entry(generateDeviceKeys(secureRandom), 'member')],
    fam.guardian.keys,
  );
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { roster: unregistered } }),
    400,
    'unregistered device',
  );
  const wrongKeys = successor(
    fam.roster,
    [
      ...fam.roster.devices,
      { ...entry(gran.keys, 'member'), kemPublicKey: fam.roster.devices[0]!.kemPublicKey },
    ],
    fam.guardian.keys,
  );
  expectStatus(
    await call('POST', path, { ...fam.guardian.as, body: { roster: wrongKeys } }),
    400,
    'keys that are not the registered ones',
  );
  const list = await call<{ rosters: RosterWire[] }>('GET', `${path}?after=0`, { token: fam.guardian.token });
  assert.equal(list.json.rosters.length, 1, 'nothing was stored');
});

test('two guardians publishing the same next version: one wins, the other gets 409', async () => {
  const fam = await family(call);
  const dad = await person(call, 'dad');
  await publish(call, fam, [...fam.roster.devices, entry(dad.keys, 'guardian')]);
  const gran = await person(call, 'gran');
  await admit(call, fam, gran);
  const byMum = successor(fam.roster, [...fam.roster.devices, entry(gran.keys, 'member')], fam.guardian.keys);
  const byDad = successor(fam.roster, fam.roster.devices, dad.keys);
  const path = `/v1/families/${fam.familyId}/rosters`;
  expectStatus(await call('POST', path, { ...fam.guardian.as, body: { roster: byMum } }), 201);
  const second = await call('POST', path, { ...dad.as, body: { roster: byDad } });
  assert.ok([400, 409].includes(second.status), `got ${second.status}`);
});
