/**
 * Family records reach every device the roster admits (docs/protocol.md §15, issue 14 item 1): a
 * relative and a guardian's second device that join after the child and the toy were named read both
 * names, because the approving guardian device seals them again to the new roster; a removed device
 * is a recipient of nothing sealed after it left; and the re-seal route refuses what it must.
 * Also the invitation check the join page makes before anyone signs up (issue 14 item 5).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, isApiError, MemoryStore, type Grant } from '@burrow/client';
import { readChildProfile, toBase64url, type EnvelopeWire } from '@burrow/protocol';
import { pairedFamily, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

type Paired = Awaited<ReturnType<typeof pairedFamily>>;
const sender: Grant = { role: 'member', sendToToy: true, hearChild: false };

async function join(fam: Paired, label: string, grant: Grant) {
  const relative = await world.guardian(label);
  const { code } = await fam.mum.invite(fam.familyId);
  const { requestId } = await relative.requestToJoin(code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, grant);
  return relative;
}

/** The names `device` can open: the children's and the toys'. */
async function namesSeenBy(device: FamilyDevice, familyId: string) {
  const family = await device.api.getFamily(familyId);
  const { toys } = await device.api.listToys(familyId);
  const children = await Promise.all(family.children.map(async (c) => (await device.openRecord(familyId, c.profile)).childName));
  const toyNames = await Promise.all(toys.map(async (t) => (t.name ? (await device.openRecord(familyId, t.name)).toyName : null)));
  return { children, toys: toyNames };
}

const recipientsOf = (record: EnvelopeWire) => record.recipients.map((r) => r.deviceId).sort();

test('a relative who joins after the child and toy were named reads both names, and the child’s birthday and photo; a sender-only relative too', async () => {
  const fam = await pairedFamily(world);
  await fam.mum.renameToy(fam.familyId, fam.toyId, 'Bunny');
  // The guardian adds a birthday and a photo (docs/protocol.md §15.1); the re-seal must carry them.
  const photo = { type: 'image/webp' as const, data: toBase64url(new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50, 5, 6, 7])) };
  await fam.mum.updateChildProfile(fam.familyId, fam.childId, { childName: 'Mia', birthday: '2020-02-29', photo });
  const gran = await join(fam, 'gran', sender);
  assert.deepEqual(await namesSeenBy(gran, fam.familyId), { children: ['Mia'], toys: ['Bunny'] });
  const [child] = (await gran.api.getFamily(fam.familyId)).children;
  assert.deepEqual(readChildProfile(await gran.openRecord(fam.familyId, child!.profile)), { childName: 'Mia', birthday: '2020-02-29', photo });
  // The guardian still reads them, and the toy is never a recipient of a family record.
  assert.deepEqual(await namesSeenBy(fam.mum, fam.familyId), { children: ['Mia'], toys: ['Bunny'] });
  const family = await fam.mum.api.getFamily(fam.familyId);
  assert.deepEqual(recipientsOf(family.children[0]!.profile), [fam.mum.deviceId, gran.deviceId].sort());
  // A second approval with nothing new to add re-seals nothing.
  assert.deepEqual(await fam.mum.resealRecords(fam.familyId), { resealed: 0, unreadable: 0 });
});

test('a guardian’s second device, approved from the first, reads the names; a removed device is left out of later records', async () => {
  const fam = await pairedFamily(world);
  await fam.mum.renameToy(fam.familyId, fam.toyId, 'Otter');
  const laptop = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore() });
  await laptop.logIn(fam.mum.email, PASSWORD);
  await fam.mum.approveDevice(fam.familyId, laptop.deviceId, { role: 'guardian', sendToToy: true, hearChild: true });
  assert.deepEqual(await namesSeenBy(laptop, fam.familyId), { children: ['Mia'], toys: ['Otter'] });

  // The uncle joins, is removed, then a cousin joins: what is sealed for the cousin skips the uncle.
  const uncle = await join(fam, 'uncle', sender);
  await fam.mum.removeDevices(fam.familyId, [uncle.deviceId]);
  const cousin = await join(fam, 'cousin', sender);
  const family = await fam.mum.api.getFamily(fam.familyId);
  const { toys } = await fam.mum.api.listToys(fam.familyId);
  for (const record of [family.children[0]!.profile, toys[0]!.name!]) {
    assert.ok(recipientsOf(record).includes(cousin.deviceId), 'the cousin is a recipient');
    assert.ok(!recipientsOf(record).includes(uncle.deviceId), 'the removed uncle is not');
  }
  // The removed uncle is no longer a member: the server does not even hand him the records.
  await assert.rejects(uncle.api.getFamily(fam.familyId), (err) => isApiError(err) && err.status === 404);
});

test('replacing a child profile: guardians only, a real child of the family, a valid record; a refusal changes nothing', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran', { role: 'member', sendToToy: true, hearChild: true });
  const before = await fam.mum.api.getFamily(fam.familyId);
  const profile = before.children[0]!.profile;
  const status = async (p: Promise<unknown>) => {
    try {
      await p;
      return 204;
    } catch (err) {
      assert.ok(isApiError(err), String(err));
      return err.status;
    }
  };
  // A member may not replace it, even with a record of the family.
  assert.equal(await status(gran.api.replaceChildProfile(fam.familyId, fam.childId, profile)), 403);
  // Not a child of this family.
  assert.equal(await status(fam.mum.api.replaceChildProfile(fam.familyId, 'AAAAAAAAAAAAAAAAAAAAAA', profile)), 404);
  // Not a record (a broken envelope), and a record sealed by another device than the caller's.
  assert.equal(await status(fam.mum.api.replaceChildProfile(fam.familyId, fam.childId, { ...profile, kind: 'voice' })), 400);
  assert.equal(await status(fam.mum.api.replaceChildProfile(fam.familyId, fam.childId, { ...profile, sender: gran.deviceId })), 400);
  const after = await fam.mum.api.getFamily(fam.familyId);
  assert.deepEqual(after.children, before.children, 'nothing changed');
  // The guardian's own valid record is accepted (204) and is what the family now serves.
  assert.equal(await status(fam.mum.api.replaceChildProfile(fam.familyId, fam.childId, profile)), 204);
});

test('an invitation code is checked without an account: valid, then gone once used; unknown and malformed are 404; nothing changes', async () => {
  const fam = await pairedFamily(world);
  const anonymous = new ApiClient({ baseUrl: world.url });
  const { code, expiresAt } = await fam.mum.invite(fam.familyId);
  assert.deepEqual(await anonymous.checkInvitation(code), { state: 'valid', expiresAt });
  // Typed loosely (lower case, spaces) it is the same code.
  assert.equal((await anonymous.checkInvitation(code.toLowerCase().replace(/-/g, ' '))).state, 'valid');
  const status = (p: Promise<unknown>) => p.then(() => 200, (err: unknown) => (isApiError(err) ? err.status : -1));
  assert.equal(await status(anonymous.checkInvitation('AAAAA-AAAAA-AAAAA-AAAAA')), 404);
  assert.equal(await status(anonymous.checkInvitation('not a code')), 404);
  assert.equal(await status(anonymous.request('POST', '/v1/invitations/check', {})), 400);
  // Checking does not use it up: the relative still redeems it, and then it is gone.
  const gran = await world.guardian('gran');
  await gran.requestToJoin(code);
  assert.equal(await status(anonymous.checkInvitation(code)), 410);
});
