/**
 * Member names (docs/protocol.md §15): a person's device files the name it goes by, sealed to the
 * roster's people; only it or a guardian's device may file that device's name; toys never receive it;
 * a device the roster no longer lists has its name withheld.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { entry, expectStatus, family, pairToy, person, publish, sealedRecord, type Family, type Person, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let grandma: Person;
let toy: Toy;

before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
  grandma = await person(call, 'grandma');
  await publish(call, fam, [...fam.roster.devices, entry(grandma.keys, 'member')]);
});
after(async () => {
  await server.close();
});

const path = (deviceId: string) => `/v1/families/${fam.familyId}/member-names/${deviceId}`;
const list = async (as: Person['as']) =>
  (await call<{ names: { deviceId: string; name: { sender: string } }[] }>('GET', `/v1/families/${fam.familyId}/member-names`, as)).json.names;

test("a member files its own name for the family's people, and a guardian reads it", async () => {
  const record = await sealedRecord(grandma.keys, fam.roster, [grandma.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', path(grandma.keys.deviceId), { ...grandma.as, body: { name: record } }), 204);
  const names = await list(fam.guardian.as);
  assert.deepEqual(names.map((n) => [n.deviceId, n.name.sender]), [[grandma.keys.deviceId, grandma.keys.deviceId]]);
});

test("a member cannot file another device's name; nothing changes (403)", async () => {
  const record = await sealedRecord(grandma.keys, fam.roster, [grandma.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', path(fam.guardian.keys.deviceId), { ...grandma.as, body: { name: record } }), 403);
  assert.deepEqual((await list(fam.guardian.as)).map((n) => n.deviceId), [grandma.keys.deviceId]);
});

test('a name sealed to a toy, or filed for a toy, is refused (400)', async () => {
  const toToy = await sealedRecord(grandma.keys, fam.roster, [grandma.keys, toy.keys]);
  expectStatus(await call('PUT', path(grandma.keys.deviceId), { ...grandma.as, body: { name: toToy } }), 400);
  const forToy = await sealedRecord(fam.guardian.keys, fam.roster, [fam.guardian.keys]);
  expectStatus(await call('PUT', path(toy.keys.deviceId), { ...fam.guardian.as, body: { name: forToy } }), 400);
});

test('a guardian device re-files a member’s name; once the member leaves the roster it is withheld', async () => {
  const resealed = await sealedRecord(fam.guardian.keys, fam.roster, [grandma.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', path(grandma.keys.deviceId), { ...fam.guardian.as, body: { name: resealed } }), 204);
  assert.deepEqual((await list(grandma.as)).map((n) => n.name.sender), [fam.guardian.keys.deviceId]);
  await publish(call, fam, fam.roster.devices.filter((d) => d.id !== grandma.keys.deviceId));
  assert.deepEqual(await list(fam.guardian.as), []);
});
