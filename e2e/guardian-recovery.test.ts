/**
 * A sole guardian who lost every approved device (issue #14 item 2; docs/protocol.md §5.1): the
 * password alone seats nothing, a used recovery code is refused, a code without the toy in hand is
 * refused; a fresh code plus the pairing code the toy shows makes the new device the guardian, the
 * toy verifies and pins that roster itself, and then plays what the new device sends.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, isApiError, MemoryStore } from '@burrow/client';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

async function refused(promise: Promise<unknown>, status: number): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isApiError(err), String(err));
    assert.equal(err.status, status, err.message);
    return err.message;
  }
  assert.fail(`expected ${String(status)}`);
}

test('recovery needs an unused recovery code and the toy in hand; then the toy takes the new device as guardian', async () => {
  const api = new ApiClient({ baseUrl: world.url });
  const lostPhone = await FamilyDevice.open({ api, store: new MemoryStore() });
  const email = `sole-${String(Date.now())}@example.com`;
  const { token, recoveryCodes } = await api.signUp(email, PASSWORD);
  api.token = token;
  await lostPhone.registerDevice();
  const familyId = await lostPhone.createFamily();
  const childId = await lostPhone.createChild(familyId, 'Mia');
  const toy = await world.toy();
  const toyId = await lostPhone.claimToy(familyId, childId, await toy.startPairing());
  assert.equal(await toy.checkPairing(), true);
  // Grandma joined before the loss: she must follow the recovery too (the toy vouches for it).
  const grandma = await world.guardian('grandma');
  const { requestId } = await grandma.requestToJoin((await lostPhone.invite(familyId)).code);
  await lostPhone.approveJoinRequest(familyId, requestId, { role: 'member', sendToToy: true, hearChild: true });
  assert.equal(await toy.sync(), 0);
  assert.equal((await grandma.roster(familyId)).version, 3, 'she holds the roster from before the loss');
  const before = (await toy.roster())!;

  // The phone is wiped. A new browser signs in with the password: it is pending, nothing more.
  const fresh = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore() });
  await fresh.logIn(email, PASSWORD);
  await assert.rejects(fresh.sendVoice(familyId, [toyId], audioSample(2_000), {}), /may not send|not_authorized/);

  // Only the password: no recovery code, or a guessed one.
  const pairing = await toy.startPairing();
  const wrong = await refused(fresh.recoverGuardian(familyId, 'zzzzz-zzzzz', pairing), 400);
  assert.match(wrong, /recovery code/);
  // A used code: spent on a password reset meanwhile.
  const reset = await fetch(`${world.url}/v1/password-resets/recovery-code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, recoveryCode: recoveryCodes[1], password: PASSWORD + ' again' }),
  });
  assert.equal(reset.status, 204);
  await fresh.logIn(email, PASSWORD + ' again');
  await refused(fresh.recoverGuardian(familyId, recoveryCodes[1]!, pairing), 400);
  // A good code but no toy in pairing mode: a code it showed earlier is closed once it shows a new one.
  const stale = pairing;
  const shown = await toy.startPairing();
  await refused(fresh.recoverGuardian(familyId, recoveryCodes[2]!, stale), 404);
  assert.equal((await toy.checkPairing()), false);
  assert.equal((await toy.roster())!.version, before.version, 'the toy kept its roster through every refusal');
  const rosters = (await fresh.api.listRosters(familyId)).rosters;
  assert.equal(rosters.at(-1)?.version, before.version, 'the server stored nothing');

  // A good code and the code the toy shows now.
  assert.equal(await fresh.recoverGuardian(familyId, recoveryCodes[2]!, shown), toyId);
  assert.equal(await toy.checkPairing(), true, 'the toy verifies the recovery roster and pins it');
  const after = (await toy.roster())!;
  assert.equal(after.version, before.version + 1);
  assert.deepEqual(after.devices.filter((d) => d.role === 'guardian').map((d) => d.id), [fresh.deviceId]);
  assert.equal(after.devices.some((d) => d.id === lostPhone.deviceId), false, 'the lost phone is out');

  await fresh.sendVoice(familyId, [toyId], audioSample(2_000), {});
  assert.equal(await toy.sync(), 1, 'the toy takes the new guardian’s message');
  // Grandma's device follows the step no guardian of the old roster signed, on the toy's word.
  const endorsements = (await grandma.api.listRecoveryEndorsements(familyId)).endorsements;
  assert.deepEqual(endorsements.map((e) => [e.toyId, e.version]), [[toyId, after.version]]);
  assert.equal((await grandma.roster(familyId)).version, after.version);
  await grandma.sendVoice(familyId, [toyId], audioSample(2_000), {});
  assert.equal(await toy.sync(), 1, 'and the toy still takes Grandma’s');
  // The code is spent.
  await refused(fresh.recoverGuardian(familyId, recoveryCodes[2]!, await toy.startPairing()), 400);
});
