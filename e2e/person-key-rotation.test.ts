/**
 * A person's device (the web app's FamilyDevice, here over an in-memory store as the browser keeps its
 * state in IndexedDB) rotates its KEM key like the toy (docs/protocol.md §14.3): on schedule, signed by
 * its identity, published; senders — the toy answering, guardians sealing family records — seal to the
 * new key; past the grace the old secret is erased, and nothing the device stores opens what was
 * sealed to it before, while the family's names it had opened still read.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, type StateStore } from '@burrow/client';
import {
  fromBase64url,
  kemPublicKeyOf,
  openEnvelope,
  parseEnvelope,
  secureRandom,
  toBase64url,
  type EnvelopeWire,
  type KemSecretKey,
} from '@burrow/protocol';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const ROTATION = { intervalMs: 60_000, graceMs: 30_000 };

/** A store whose whole content a thief can take: what the browser's IndexedDB would hold. */
class DumpStore implements StateStore {
  private readonly data = new Map<string, string>();
  get<T>(key: string): Promise<T | undefined> {
    const v = this.data.get(key);
    return Promise.resolve(v === undefined ? undefined : (JSON.parse(v) as T));
  }
  set<T>(key: string, value: T): Promise<void> {
    this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
  /** Every 32-byte value stored as a base64url string, tried as a key by the thief. */
  secrets(): Uint8Array[] {
    const found = new Map<string, Uint8Array>();
    for (const text of this.data.values())
      for (const m of text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)) {
        try {
          found.set(m[0], fromBase64url(m[0], 32));
        } catch {
          // not a 32-byte value
        }
      }
    return [...found.values()];
  }
}

/** The epochs each POST /messages named (the toy's answers). */
function recordingFetch(sent: Record<string, number>[]): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (init?.method === 'POST' && url.endsWith('/messages') && typeof init.body === 'string')
      sent.push((JSON.parse(init.body) as { keyEpochs?: Record<string, number> }).keyEpochs ?? {});
    return fetch(input, init);
  };
}

test("a guardian's browser device rotates, is sealed to, and erases: its stolen state opens nothing sealed before", async () => {
  const clock = { now: Date.now() };
  const store = new DumpStore();
  const mum = await FamilyDevice.open({
    api: new ApiClient({ baseUrl: world.url }),
    store,
    clock: () => clock.now,
    rotation: ROTATION,
  });
  await mum.signUp(`mum-${toBase64url(secureRandom(6))}@example.com`, PASSWORD);
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toySent: Record<string, number>[] = [];
  const toy = await world.toy({ fetch: recordingFetch(toySent) });
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  await mum.renameToy(familyId, toyId, 'Bunny');
  assert.equal((await mum.maintainKeys(familyId))?.rotated, false, 'the first pass starts the clock');

  // The child answers; sealed to mum's roster key (epoch 0).
  const before = audioSample(3_000);
  const beforeId = await toy.record(before, {});
  assert.equal(toySent.at(-1)?.[mum.deviceId], 0);
  assert.deepEqual((await mum.sync()).map((m) => m.audio), [before]);
  // The attacker copies what the server holds sealed to mum: the answer and the family's records.
  const family = await mum.api.getFamily(familyId);
  const { toys } = await mum.api.listToys(familyId);
  const copied: { envelope: EnvelopeWire; blob: Uint8Array | null }[] = [
    { envelope: parseEnvelope(JSON.parse((await world.server.db.selectFrom('messages').select('envelope').where('id', '=', beforeId).executeTakeFirstOrThrow()).envelope) as unknown), blob: await mum.api.downloadMessageBlob(beforeId) },
    ...family.children.map((c) => ({ envelope: parseEnvelope(c.profile), blob: null })),
    ...toys.flatMap((t) => (t.name ? [{ envelope: parseEnvelope(t.name), blob: null }] : [])),
  ];
  assert.equal(copied.length, 3);
  const opens = async (secret: Uint8Array) => {
    let n = 0;
    for (const c of copied)
      await openEnvelope(c.envelope, c.blob, { ...mum.keys, kemSecretKey: secret as KemSecretKey }).then(
        () => n++,
        () => undefined,
      );
    return n;
  };
  const stolenBefore = await Promise.all(store.secrets().map(opens));
  assert.equal(Math.max(...stolenBefore), 3, 'stolen before rotation, the state opens every copy');

  // A minute on, the device rotates on its own: a record signed by its identity, published.
  clock.now += ROTATION.intervalMs + 1_000;
  const pass = await mum.maintainKeys(familyId);
  assert.deepEqual([pass?.rotated, pass?.published, pass?.epoch, pass?.held], [true, true, 1, 2]);
  const mine = (await mum.api.listKemKeys(familyId)).records.find((r) => r.deviceId === mum.deviceId);
  assert.equal(mine?.epoch, 1);
  assert.equal(mine.kemPublicKey, toBase64url(kemPublicKeyOf(mum.keys.kemSecretKey)));
  assert.notEqual(mine.kemPublicKey, toBase64url(mum.keys.kemPublicKey), 'the roster key stays epoch 0');

  // Senders switch: the toy seals its answer to epoch 1, a new child's profile is sealed to it too.
  const afterAudio = audioSample(2_000);
  await toy.record(afterAudio, {});
  assert.equal(toySent.at(-1)?.[mum.deviceId], 1);
  assert.deepEqual((await mum.sync()).map((m) => m.audio), [afterAudio]);
  const leoId = await mum.createChild(familyId, 'Leo');

  // Within the grace the old key is held; past it, it is erased (one key left).
  clock.now += ROTATION.graceMs + 1_000;
  const erase = await mum.maintainKeys(familyId);
  assert.deepEqual([erase?.erased, erase?.held], [[0], 1]);

  // Stolen now, nothing the device stores opens any copy…
  const stolen = store.secrets();
  assert.ok(stolen.length > 0);
  assert.deepEqual(await Promise.all(stolen.map(opens)), stolen.map(() => 0));
  // …yet the names it had opened still read, the new child's name opens with the new key, and
  // the device keeps working.
  const now = await mum.api.getFamily(familyId);
  const names: Record<string, unknown> = {};
  for (const c of now.children) names[c.childId] = (await mum.openRecord(familyId, c.profile)).childName;
  assert.deepEqual(names, { [childId]: 'Mia', [leoId]: 'Leo' });
  const bunny = (await mum.api.listToys(familyId)).toys[0]?.name;
  assert.ok(bunny);
  assert.equal((await mum.openRecord(familyId, bunny)).toyName, 'Bunny');
  const last = audioSample(1_000);
  await toy.record(last, {});
  assert.deepEqual((await mum.sync()).map((m) => m.audio), [last]);
});

test('a device checks its keys at most every min(interval, grace)/8 unless forced, and only while in the roster', async () => {
  const clock = { now: Date.now() };
  const dad = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new DumpStore(), clock: () => clock.now, rotation: ROTATION });
  await dad.signUp(`dad-${toBase64url(secureRandom(6))}@example.com`, PASSWORD);
  const familyId = await dad.createFamily();
  assert.ok(await dad.maintainKeys(familyId));
  clock.now += 1_000;
  assert.equal(await dad.maintainKeys(familyId), undefined, 'checked a second ago');
  assert.equal((await dad.maintainKeys(familyId, { force: true }))?.epoch, 1, 'forced: rotates now');
  // A device the roster does not list is sealed to by nobody: it does not rotate.
  const other = await world.guardian('other');
  const otherFamily = await other.createFamily();
  assert.equal(await dad.maintainKeys(otherFamily, { force: true }).catch(() => undefined), undefined);
});
