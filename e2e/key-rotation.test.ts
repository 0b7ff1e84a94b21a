/**
 * KEM key rotation with forward secrecy (docs/protocol.md §14), end to end on a real server: the toy
 * rotates on its schedule, senders seal to its newest signed key, the toy erases the retired key, and
 * then nothing the toy stores opens what an attacker copied from the server before. Senders (the app
 * and the toy) refuse forged and replayed key records; the server refuses a stale-key sender.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, FamilyDevice, MemoryStore, type ToyEvent } from '@burrow/client';
import {
  generateDeviceKeys,
  kemPublicKeyOf,
  parseEnvelope,
  secureRandom,
  signKemKeyRecord,
  toBase64url,
  type DeviceId,
  type DeviceKeys,
  type EnvelopeWire,
} from '@burrow/protocol';
import { opensWith, storedSecrets } from './stolen-keys.js';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const ROTATION = { intervalMs: 60_000, graceMs: 30_000 };

/**
 * A guardian whose view of the server can be bent, as a compromised server would: `keyRecords`
 * replaces the records GET …/kem-keys answers; the epochs it sends with each message are recorded.
 */
interface Bend {
  keyRecords: ((records: unknown[]) => unknown[]) | null;
  sentEpochs: Record<string, number>[];
}

function bentFetch(control: Bend): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init?.method === 'POST' && url.endsWith('/messages') && typeof init.body === 'string') {
      control.sentEpochs.push(
        (JSON.parse(init.body) as { keyEpochs?: Record<string, number> }).keyEpochs ?? {},
      );
    }
    const res = await fetch(input, init);
    if (!url.endsWith('/kem-keys') || (init?.method ?? 'GET') !== 'GET' || !control.keyRecords || !res.ok)
      return res;
    const body = (await res.json()) as { records: unknown[] };
    return new Response(JSON.stringify({ records: control.keyRecords(body.records) }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

async function guardian(label: string) {
  const control: Bend = { keyRecords: null, sentEpochs: [] };
  const bent = bentFetch(control);
  const refused: { deviceId: string; reason: string }[] = [];
  const api = new ApiClient({ baseUrl: world.url, fetch: bent });
  const device = await FamilyDevice.open({
    api,
    store: new MemoryStore(),
    onKeyRecordRefused: (deviceId, reason) => refused.push({ deviceId, reason }),
  });
  await device.signUp(`${label}-${toBase64url(secureRandom(6))}@example.com`, PASSWORD);
  return Object.assign(device, { control, refused });
}

/** A family with a guardian and a toy whose clock the test moves, rotating every minute. */
async function rotatingFamily() {
  const mum = await guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const clock = { now: Date.now() };
  const events: ToyEvent[] = [];
  const toyControl: Bend = { keyRecords: null, sentEpochs: [] };
  const toy = await world.toy({
    clock: () => clock.now,
    rotation: ROTATION,
    events,
    fetch: bentFetch(toyControl),
  });
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  await toy.sync(); // the first sync after pairing starts the key's clock
  return { mum, familyId, toy, toyId: toyId as string, clock, events, toyControl };
}

test('forward secrecy: after the toy rotates and erases, nothing it stores opens the ciphertexts copied from the server', async () => {
  const { mum, familyId, toy, toyId, clock, events } = await rotatingFamily();
  const sent: string[] = [];
  for (let i = 0; i < 3; i++)
    sent.push(await mum.sendVoice(familyId, [toyId], audioSample(4_000), { senderName: 'Mum' }));
  assert.equal(await toy.sync(), 3);
  for (let i = 0; i < 3; i++) assert.ok(await toy.playNext());

  // The attacker copies every envelope and blob the server holds for the family.
  const rows = await world.server.db
    .selectFrom('messages')
    .select(['id', 'envelope'])
    .where('family_id', '=', familyId)
    .execute();
  assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(sent));
  const copied: { envelope: EnvelopeWire; blob: Uint8Array }[] = [];
  for (const row of rows)
    copied.push({
      envelope: parseEnvelope(JSON.parse(row.envelope)),
      blob: await mum.api.downloadMessageBlob(row.id),
    });
  // Stolen today, the toy's stored keys would open every copy: the attack works before rotation.
  const before = storedSecrets(toy.dataDir);
  for (const c of copied)
    assert.ok(
      (await Promise.all(before.map((s) => opensWith(c.envelope, c.blob, toy.keys, s)))).includes(true),
    );

  // A minute on, the toy rotates on its own and publishes the new key's signed record.
  clock.now += ROTATION.intervalMs + 1_000;
  await toy.sync();
  assert.deepEqual(
    events.filter((e) => e.type === 'key_rotated'),
    [{ type: 'key_rotated', epoch: 1 }],
  );
  const { records } = await mum.api.listKemKeys(familyId);
  assert.deepEqual(
    records.map((r) => [r.deviceId, r.epoch]),
    [[toyId, 1]],
  );
  assert.equal(records[0]!.kemPublicKey, toBase64url(kemPublicKeyOf(toy.keys.kemSecretKey)));

  // The next message is sealed to the new key (the epoch travels with it) and the toy plays it.
  const fresh = audioSample(4_000);
  const freshId = await mum.sendVoice(familyId, [toyId], fresh, { senderName: 'Mum' });
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 1);
  assert.equal(await toy.sync(), 1);
  assert.deepEqual((await toy.playNext())?.audio, fresh);

  // Within the grace period the retired key is still held; past it, it is erased.
  assert.equal(
    events.some((e) => e.type === 'keys_erased'),
    false,
  );
  clock.now += ROTATION.graceMs + 1_000;
  await toy.sync();
  assert.deepEqual(
    events.filter((e) => e.type === 'keys_erased'),
    [{ type: 'keys_erased', epochs: [0] }],
  );

  // Now steal the toy: every 32-byte value in its data folder, tried as its KEM key, opens none of the copies.
  const stolen = storedSecrets(toy.dataDir);
  assert.ok(stolen.length > 0);
  for (const c of copied)
    for (const s of stolen)
      assert.equal(
        await opensWith(c.envelope, c.blob, toy.keys, s),
        false,
        `copied message ${c.envelope.id} opens`,
      );
  // …while the same search does find the current key (the search would have found an old one).
  const freshRow = await world.server.db
    .selectFrom('messages')
    .select('envelope')
    .where('id', '=', freshId)
    .executeTakeFirstOrThrow();
  const freshEnvelope = parseEnvelope(JSON.parse(freshRow.envelope));
  const freshBlob = await mum.api.downloadMessageBlob(freshId);
  const opening = await Promise.all(stolen.map((s) => opensWith(freshEnvelope, freshBlob, toy.keys, s)));
  assert.ok(opening.includes(true));
  // The toy still receives: it is still the same toy, now on epoch 1 only.
  const later = audioSample(2_000);
  await mum.sendVoice(familyId, [toyId], later, { senderName: 'Mum' });
  await toy.sync();
  assert.deepEqual((await toy.playNext())?.audio, later);
});

test('a sender sealing to a retired key is refused (409, nothing stored); the app re-seals to the new key', async () => {
  const { mum, familyId, toy, toyId, clock } = await rotatingFamily();
  clock.now += ROTATION.intervalMs + 1_000;
  await toy.sync();
  assert.equal((await toy.maintainKeys())?.epoch, 1);

  // The server holds the new record, but this sender's view of it is late once (the first fetch).
  let late = 1;
  mum.control.keyRecords = (records) => (late-- > 0 ? [] : records);
  const audio = audioSample(3_000);
  const id = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  assert.deepEqual(
    mum.control.sentEpochs.map((e) => e[toyId]),
    [0, 1],
    'sealed to the roster key, refused, sealed again to epoch 1',
  );
  const stored = await world.server.db
    .selectFrom('messages')
    .select('id')
    .where('family_id', '=', familyId)
    .execute();
  assert.deepEqual(
    stored.map((r) => r.id),
    [id],
    'the refused message was not stored',
  );
  await toy.sync();
  assert.deepEqual((await toy.playNext())?.audio, audio);

  // Once pinned, a server withholding the record again cannot take this sender back to the roster key.
  mum.control.keyRecords = () => [];
  await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 1);
});

test('senders — the app and the toy — refuse forged and replayed key records: a withholding server delays, never redirects', async () => {
  const { mum, familyId, toy, toyId, clock, events, toyControl } = await rotatingFamily();
  clock.now += ROTATION.intervalMs + 1_000;
  await toy.sync();
  const epoch1 = (await mum.api.listKemKeys(familyId)).records[0]!;
  await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 1);

  // The server offers a record for the toy signed by someone else (here: mum's key): refused.
  const forgedKey = kemPublicKeyOf(secureRandom(32));
  const forged = signKemKeyRecord(
    { deviceId: toyId as DeviceId, epoch: 7, kemPublicKey: forgedKey, notBefore: Date.now() },
    mum.keys.signSecretKey,
  );
  const unsigned = {
    ...signKemKeyRecord(
      { deviceId: toyId as DeviceId, epoch: 8, kemPublicKey: forgedKey, notBefore: Date.now() },
      mum.keys.signSecretKey,
    ),
    signature: toBase64url(new Uint8Array(64)),
  };
  mum.control.keyRecords = () => [forged, unsigned];
  await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  assert.deepEqual(
    mum.refused.map((r) => r.reason),
    ['bad_signature', 'bad_signature'],
  );
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 1, 'still sealed to the key the toy published');

  // The toy rotates again; a server replaying the epoch-1 record is refused once epoch 2 is pinned.
  clock.now += ROTATION.intervalMs + 1_000;
  await toy.sync();
  mum.control.keyRecords = null;
  await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 2);
  mum.control.keyRecords = () => [epoch1];
  mum.refused.length = 0;
  const audio = audioSample(1_500);
  await mum.sendVoice(familyId, [toyId], audio, {});
  assert.deepEqual(mum.refused, [{ deviceId: toyId, reason: 'replayed' }]);
  assert.equal(mum.control.sentEpochs.at(-1)?.[toyId], 2, 'a replayed record never takes the sender back');
  await toy.sync();
  while (await toy.unplayedCount()) assert.ok(await toy.playNext());

  // The toy, as a sender, refuses a record for mum's device that mum's identity did not sign, and
  // seals the child's answer to mum's roster key, which mum opens.
  const stranger = generateDeviceKeys(secureRandom);
  const forgedForMum = signKemKeyRecord(
    {
      deviceId: mum.deviceId,
      epoch: 3,
      kemPublicKey: kemPublicKeyOf(secureRandom(32)),
      notBefore: Date.now(),
    },
    stranger.signSecretKey,
  );
  toyControl.keyRecords = (records) => [...records, forgedForMum];
  const answer = audioSample(2_000);
  const answerId = await toy.record(answer, {});
  assert.deepEqual(
    events.filter((e) => e.type === 'key_record_refused'),
    [{ type: 'key_record_refused', deviceId: mum.deviceId, reason: 'bad_signature' }],
  );
  assert.deepEqual(toyControl.sentEpochs.at(-1), { [mum.deviceId]: 0 });
  assert.deepEqual((await mum.sync()).find((m) => m.messageId === answerId)?.audio, answer);

  // …nor a record of mum's replayed from before: once it pinned her newer key, it keeps it.
  toyControl.keyRecords = null;
  mum.control.keyRecords = null;
  await mum.maintainKeys(familyId, { force: true });
  const mumEpoch1 = (await mum.api.listKemKeys(familyId)).records.find((r) => r.deviceId === mum.deviceId);
  assert.equal(mumEpoch1?.epoch, 1);
  await mum.maintainKeys(familyId, { force: true });
  await toy.record(audioSample(2_000), {});
  assert.deepEqual(toyControl.sentEpochs.at(-1), { [mum.deviceId]: 2 });
  toyControl.keyRecords = (records) => [...records.filter((r) => (r as { deviceId?: string }).deviceId !== mum.deviceId), mumEpoch1];
  const later = audioSample(2_000);
  const laterId = await toy.record(later, {});
  assert.deepEqual(events.filter((e) => e.type === 'key_record_refused').at(-1), { type: 'key_record_refused', deviceId: mum.deviceId, reason: 'replayed' });
  assert.deepEqual(toyControl.sentEpochs.at(-1), { [mum.deviceId]: 2 }, 'a replayed record never takes the toy back');
  assert.deepEqual((await mum.sync()).find((m) => m.messageId === laterId)?.audio, later);
});

test("the server takes only a device's own, signed, newer key record", async () => {
  const { mum, familyId, toy, toyId } = await rotatingFamily();
  const toyKeys = toy.keys;
  const record = (epoch: number, keys: DeviceKeys = toyKeys, deviceId = toyId) =>
    signKemKeyRecord(
      {
        deviceId: deviceId as DeviceId,
        epoch,
        kemPublicKey: kemPublicKeyOf(secureRandom(32)),
        notBefore: Date.now(),
      },
      keys.signSecretKey,
    );
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 201,
      (e: unknown) => (e instanceof ApiError ? e.status : 0),
    );
  assert.equal(await status(toy.api.publishKemKey(record(1, mum.keys))), 400, 'not signed by the toy');
  assert.equal(
    await status(toy.api.publishKemKey(record(1, toyKeys, mum.deviceId))),
    403,
    "another device's record",
  );
  assert.equal(await status(toy.api.publishKemKey({ ...record(1), v: 2 } as never)), 400, 'malformed');
  assert.equal(
    await status(toy.api.publishKemKey({ ...record(1), notBefore: Date.now() + 3_600_000 })),
    400,
    'dated ahead',
  );
  assert.deepEqual((await mum.api.listKemKeys(familyId)).records, [], 'nothing stored by the refusals');
  assert.equal(await status(toy.api.publishKemKey(record(2))), 201);
  assert.equal(await status(toy.api.publishKemKey(record(2))), 409, 'the same epoch again');
  assert.equal(await status(toy.api.publishKemKey(record(1))), 409, 'an older epoch (replay)');
  assert.deepEqual(
    (await mum.api.listKemKeys(familyId)).records.map((r) => r.epoch),
    [2],
  );
  // Only the family sees its keys; a stranger gets the same 404 as for no family.
  const stranger = await guardian('stranger');
  assert.equal(await status(stranger.api.listKemKeys(familyId)), 404);
});
