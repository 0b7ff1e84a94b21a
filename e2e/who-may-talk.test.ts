/**
 * Who may make the toy speak (issue 4, promise P2). People join only through an invitation a guardian
 * approves; devices appear only when a guardian's device signs them into the roster. Each would-be
 * sender below tries through the API and, as a compromised server would, by writing the envelope
 * straight into the database; the toy plays none of them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, isApiError, MemoryStore, type Grant } from '@burrow/client';
import { newMessageId, nextRosterBody, rosterEntry, sealEnvelope, secureRandom, signRoster, type DeviceKeys, type EnvelopeWire } from '@burrow/protocol';
import { filePlayer, fileRecorder, HeadlessToy } from '@burrow/toy';
import { audioSample, eventually, pairedFamily, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

type Paired = Awaited<ReturnType<typeof pairedFamily>>;
const sender: Grant = { role: 'member', sendToToy: true, hearChild: true };
const listener: Grant = { role: 'member', sendToToy: false, hearChild: true };

/** Invite, request, approve with `grant`: the consent flow a relative goes through. */
async function join(fam: Paired, label: string, grant: Grant) {
  const relative = await world.guardian(label);
  const { code } = await fam.mum.invite(fam.familyId);
  const { requestId } = await relative.requestToJoin(code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, grant);
  return Object.assign(relative, { accountId: (await relative.api.getMe()).accountId });
}

/** The same person signing in on another browser: a new device of the same account. */
async function secondDevice(email: string) {
  const device = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore() });
  await device.logIn(email, PASSWORD);
  return device;
}

async function sealFor(fam: Paired, from: DeviceKeys) {
  const roster = (await fam.toy.roster())!;
  return sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId: roster.familyId,
    sender: from,
    rosterVersion: roster.version,
    createdAt: Date.now(),
    recipients: [{ deviceId: fam.toy.keys.deviceId, kemPublicKey: fam.toy.keys.kemPublicKey }],
    meta: { senderName: 'Grandma' },
    payload: audioSample(2000),
    random: secureRandom,
  });
}

/** What a compromised server (or anyone with the database) can do: queue an envelope for the toy directly. */
async function writeIntoDatabase(fam: Paired, envelope: EnvelopeWire, blob: Uint8Array): Promise<void> {
  const db = world.server.db;
  await db.insertInto('blobs').values({ family_id: fam.familyId, hash: envelope.blob!.hash, size: blob.length, uploaded_by: envelope.sender, created_at: Date.now() }).onConflict((oc) => oc.doNothing()).execute();
  await world.server.blobs.put(`${fam.familyId}/${envelope.blob!.hash}`, blob);
  const row = await db.insertInto('messages').values({ id: envelope.id, family_id: fam.familyId, sender_id: envelope.sender, envelope: JSON.stringify(envelope), blob_hash: envelope.blob!.hash, created_at: Date.now() }).returning('seq').executeTakeFirstOrThrow();
  await db.insertInto('message_recipients').values({ message_seq: row.seq, device_id: fam.toy.keys.deviceId }).execute();
}

/** Tries the API, then the database; asserts the toy plays nothing and says why. */
async function toyPlaysNothingFrom(fam: Paired, device: FamilyDevice, apiStatuses: number[], reason: string) {
  const { envelope, blob } = await sealFor(fam, device.keys);
  await device.api.uploadBlob(fam.familyId, envelope.blob!.hash, blob!).catch(() => undefined);
  await assert.rejects(device.api.sendMessage(fam.familyId, envelope), (e: unknown) => isApiError(e) && apiStatuses.includes(e.status), 'the server accepted the send');
  await writeIntoDatabase(fam, envelope, blob!);
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.playNext(), undefined);
  assert.ok(
    fam.toy.events.some((e) => e.type === 'refused' && e.messageId === envelope.id && e.reason === reason),
    `expected the toy to refuse ${envelope.id} with ${reason}: ${JSON.stringify(fam.toy.events.filter((e) => e.type === 'refused'))}`,
  );
}

test('invite, request, approve: the relative sends and the toy plays; the code works once', async () => {
  const fam = await pairedFamily(world);
  const gran = await world.guardian('gran');
  const { code } = await fam.mum.invite(fam.familyId);
  const { requestId, familyId } = await gran.requestToJoin(code.toLowerCase().replace(/-/g, ' '));
  assert.equal(familyId, fam.familyId);
  // Pending: not a member yet, and the toy would refuse her.
  await assert.rejects(gran.api.getFamily(fam.familyId), (e: unknown) => isApiError(e) && e.status === 404);
  const requests = (await fam.mum.api.listJoinRequests(fam.familyId)).requests;
  assert.deepEqual(requests.map((r) => [r.requestId, r.status, r.devices.map((d) => d.deviceId)]), [[requestId, 'pending', [gran.deviceId]]]);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, sender);
  const audio = audioSample(4000);
  await gran.sendVoice(fam.familyId, [fam.toyId], audio, { senderName: 'Gran' });
  await fam.toy.sync();
  assert.deepEqual((await fam.toy.playNext())?.audio, audio);
  // Single use: nobody else gets in with the same code.
  const cousin = await world.guardian('cousin');
  await assert.rejects(cousin.requestToJoin(code), (e: unknown) => isApiError(e) && e.status === 410);
});

test('a declined or expired invitation admits nobody, and a guardian cannot list an unapproved person in the roster', async () => {
  const fam = await pairedFamily(world);
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await fam.mum.invite(fam.familyId)).code);
  await fam.mum.declineJoinRequest(fam.familyId, requestId);
  await assert.rejects(fam.mum.approveJoinRequest(fam.familyId, requestId, sender), (e: unknown) => isApiError(e) && e.status === 404);
  // Even a guardian's own signed roster cannot add someone who did not ask and was not approved.
  const current = await fam.mum.roster(fam.familyId);
  const sneaky = signRoster(nextRosterBody(current, current.familyId, [...current.devices, rosterEntry(gran.keys, 'member', sender)], Date.now()), fam.mum.keys);
  await assert.rejects(fam.mum.api.publishRoster(fam.familyId, sneaky), (e: unknown) => isApiError(e) && e.status === 400 && /not a member/.test(e.message));
  assert.deepEqual((await fam.mum.api.listPendingDevices(fam.familyId)).devices, []);
  const expired = await fam.mum.invite(fam.familyId, 60_000);
  await world.server.db.updateTable('invitations').set({ expires_at: Date.now() - 1 }).where('id', '=', expired.invitationId).execute();
  await assert.rejects(gran.requestToJoin(expired.code), (e: unknown) => isApiError(e) && e.status === 410);
  await assert.rejects(gran.requestToJoin('AAAAA-BBBBB-CCCCC-DDDDD'), (e: unknown) => isApiError(e) && e.status === 404);
  // The code is stored only as a hash.
  const rows = await world.server.db.selectFrom('invitations').select('code_hash').execute();
  assert.ok(rows.every((r) => !r.code_hash.includes(expired.code.replace(/-/g, ''))));
});

test('the stranger: an account that is not a member gets nothing played, through the API or the database', async () => {
  const fam = await pairedFamily(world);
  const stranger = await world.guardian('stranger');
  await toyPlaysNothingFrom(fam, stranger, [404], 'unknown_sender');
});

test('a member without may-send-to-toy gets nothing played, through the API or the database', async () => {
  const fam = await pairedFamily(world);
  const uncle = await join(fam, 'uncle', listener);
  await assert.rejects(uncle.sendVoice(fam.familyId, [fam.toyId], audioSample(1000), {}));
  await toyPlaysNothingFrom(fam, uncle, [403], 'sender_may_not_send');
});

test('a member whose new device is not yet approved can neither make the toy speak nor hear the child, until a guardian approves it', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran', sender);
  const phone = await secondDevice(gran.email);
  const pending = (await fam.mum.api.listPendingDevices(fam.familyId)).devices;
  assert.deepEqual(pending.map((d) => d.deviceId), [phone.deviceId]);
  await toyPlaysNothingFrom(fam, phone, [403], 'unknown_sender');
  // Not a recipient of what the child records.
  await fam.toy.record(audioSample(1500));
  const inbox = await phone.api.listMessages(0, 50);
  assert.equal(inbox.messages.length, 0);
  await fam.mum.approveDevice(fam.familyId, phone.deviceId, sender);
  const audio = audioSample(2500);
  await phone.sendVoice(fam.familyId, [fam.toyId], audio, {});
  await fam.toy.sync();
  assert.deepEqual((await fam.toy.playNext())?.audio, audio);
});

test("an attacker with a guardian's password but no guardian device cannot make the toy speak or sign a roster", async () => {
  const fam = await pairedFamily(world);
  const attacker = await secondDevice(fam.mum.email);
  await assert.rejects(attacker.sendVoice(fam.familyId, [fam.toyId], audioSample(1000), {}));
  // Signing itself into the roster fails: its key is not a guardian of the current version.
  await assert.rejects(attacker.approveDevice(fam.familyId, attacker.deviceId, { role: 'guardian', sendToToy: true, hearChild: true }), (e: unknown) => isApiError(e) && e.status === 400);
  await toyPlaysNothingFrom(fam, attacker, [403], 'unknown_sender');
  assert.equal((await fam.toy.roster())?.devices.some((d) => d.id === attacker.deviceId), false);
});

test('a blocked member gets nothing played, loses access at once and cannot ask to join again until unblocked', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran', sender);
  await fam.mum.blockMember(fam.familyId, gran.accountId);
  await assert.rejects(gran.api.getFamily(fam.familyId), (e: unknown) => isApiError(e) && e.status === 404);
  await toyPlaysNothingFrom(fam, gran, [404], 'unknown_sender');
  const { code } = await fam.mum.invite(fam.familyId);
  await assert.rejects(gran.requestToJoin(code), (e: unknown) => isApiError(e) && e.status === 403);
  assert.deepEqual((await fam.mum.api.listBlocks(fam.familyId)).blocks.map((b) => b.accountId), [gran.accountId]);
  await fam.mum.api.unblockAccount(fam.familyId, gran.accountId);
  const again = await gran.requestToJoin(code);
  assert.equal(again.status, 'pending');
});

test('blocking race: messages in flight on the server when their sender is blocked are not played', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran', sender);
  const first = await gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), {});
  const second = await gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), {});
  await fam.mum.blockMember(fam.familyId, gran.accountId);
  // The server still holds both envelopes for the toy; the toy takes the new roster first and refuses them.
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.playNext(), undefined);
  const refused = fam.toy.events.flatMap((e) => (e.type === 'refused' ? [e.messageId] : []));
  assert.deepEqual(refused.sort(), [first, second].sort());
});

test('blocking race: a message already in the toy\'s slots when its sender is blocked is not played', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran', sender);
  const id = await gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), {});
  assert.equal(await fam.toy.sync(), 1);
  await fam.mum.blockMember(fam.familyId, gran.accountId);
  assert.equal(await fam.toy.playNext(), undefined);
  assert.ok(fam.toy.events.some((e) => e.type === 'refused' && e.messageId === id && e.reason === 'sender_removed'));
});

test('removing the last guardian is refused with a clear 400; a second guardian joins by invitation and can sign', async () => {
  const fam = await pairedFamily(world);
  await assert.rejects(fam.mum.removeDevices(fam.familyId, [fam.mum.deviceId]), (e: unknown) => isApiError(e) && e.status === 400 && /at least one guardian/.test(e.message));
  const dad = await join(fam, 'dad', { role: 'guardian', sendToToy: true, hearChild: true });
  await dad.removeDevices(fam.familyId, [fam.mum.deviceId]);
  await fam.toy.refreshRoster();
  const roster = (await fam.toy.roster())!;
  assert.deepEqual(roster.devices.filter((d) => d.role === 'guardian').map((d) => d.id), [dad.deviceId]);
  await assert.rejects(fam.mum.api.getFamily(fam.familyId), (e: unknown) => isApiError(e) && e.status === 404);
});

test('a connected toy receives the roster without the blocked member within seconds, with nobody calling sync', async () => {
  const scratch = mkdtempSync(joinPath(tmpdir(), 'burrow-block-'));
  world.onClose(() => rmSync(scratch, { recursive: true, force: true }));
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await HeadlessToy.start({ server: world.url, dataDir: joinPath(scratch, 'toy'), player: filePlayer(joinPath(scratch, 'played')), recorder: fileRecorder(joinPath(scratch, 'none')) });
  world.onClose(() => toy.stop());
  const toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired());
  const fam = { mum, familyId, toyId } as unknown as Paired;
  const gran = await join(fam, 'gran', sender);
  await eventually(async () => (await toy.device.roster())?.devices.some((d) => d.id === gran.deviceId));
  const started = Date.now();
  const blocked = await mum.blockMember(familyId, gran.accountId);
  await eventually(async () => (await toy.device.roster())?.version === blocked.version, 5000);
  assert.ok(Date.now() - started < 5000);
  assert.equal((await toy.device.roster())?.devices.some((d) => d.id === gran.deviceId), false);
});
