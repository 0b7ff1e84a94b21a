/**
 * The web app reloads the family when its stream opens (guardian/live.ts, onOpen; adbd160): an event
 * published before the socket subscribed is not replayed, so without the reload a relative admitted
 * a moment earlier would keep "Your child" although the names were re-sealed to them. Made
 * deterministic by holding the relative's WebSocket (Playwright's routeWebSocket, which then connects
 * to the real server): the guardian re-seals the names — a `children` event nobody of hers hears —
 * and only then does the socket open. The child's name must appear; it does not if the reload goes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiClient, FamilyDevice, MemoryStore } from '@burrow/client';
import { nextRosterBody, signRoster, type DeviceId, type RosterDevice } from '@burrow/protocol';
import { browserSuite, openBrowser, PASSWORD, waitFor } from './harness.js';
import { saveRecoveryCodes, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-stream-open-', 'Hello Sam.');

void test('names re-sealed before the relative’s stream opens still reach their Home', { timeout: 240_000 }, async () => {
  // The guardian, driven from Node: a family with Sam, and an invitation.
  const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: suite.server.url }), store: new MemoryStore() });
  await mum.signUp(uniqueEmail('mum'), PASSWORD);
  const familyId = await mum.createFamily();
  await mum.createChild(familyId, 'Sam');
  const { code } = await mum.invite(familyId);

  const relative = await openBrowser(suite.voiceWav);
  suite.sessions.push(relative);
  const r = relative.page;
  // Every stream socket of this browser waits for the gate, then connects to the real server.
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  let held = 0;
  let connected = 0;
  await r.routeWebSocket(/\/v1\/stream/, async (ws) => {
    held++;
    await gate;
    ws.connectToServer();
    connected++;
  });

  await r.goto(`${suite.server.url}/join#${code}`);
  await r.getByLabel('Email').fill(uniqueEmail('grandma'));
  await r.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await r.getByRole('meter', { name: 'Password strength' }).and(r.locator('[aria-valuenow="4"]')).waitFor();
  await r.getByRole('button', { name: 'Create account' }).click();
  await saveRecoveryCodes(r);
  await r.getByRole('heading', { name: 'Join a family' }).waitFor({ timeout: 15_000 });
  await r.getByRole('button', { name: 'Ask to join' }).click();
  await r.getByLabel('Your name, as the child knows you').fill('Grandma');
  await r.getByRole('button', { name: 'Ask to join' }).click();
  await r.getByRole('heading', { name: 'Waiting for a guardian' }).waitFor({ timeout: 15_000 });

  // The guardian admits her devices without re-sealing the names yet.
  const { requests } = await mum.api.listJoinRequests(familyId);
  const request = requests.find((q) => q.status === 'pending')!;
  await mum.api.approveJoinRequest(familyId, request.requestId);
  const current = await mum.roster(familyId);
  const added: RosterDevice[] = request.devices.map((d) => ({
    id: d.deviceId as DeviceId,
    role: 'member',
    signPublicKey: d.signPublicKey,
    kemPublicKey: d.kemPublicKey,
    sendToToy: true,
    hearChild: true,
  }));
  await mum.api.publishRoster(familyId, signRoster(nextRosterBody(current, current.familyId, [...current.devices, ...added], Date.now()), mum.keys));

  // Her browser enters the family; names sealed before she joined are unreadable: "Your child".
  const children = r.getByRole('list', { name: 'Your children' }).getByRole('heading', { level: 2 });
  await r.getByRole('heading', { name: 'Home', level: 1 }).waitFor({ timeout: 30_000 });
  await waitFor('the placeholder name on Home', async () => (await children.allTextContents()).includes('Your child'));
  await waitFor('the app to try opening its stream', () => Promise.resolve(held > 0));
  assert.equal(connected, 0, 'the stream is held shut');

  // The guardian re-seals the names now: the `children` event goes out while her socket is shut.
  const { resealed } = await mum.resealRecords(familyId);
  assert.ok(resealed >= 1);
  openGate();
  await waitFor('the stream to connect', () => Promise.resolve(connected > 0));

  // Only the reload on open can bring the name: no event about it will come again.
  await r.getByRole('list', { name: 'Your children' }).getByRole('heading', { name: 'Sam', level: 2 }).waitFor({ timeout: 30_000 });
  assert.deepEqual(await children.allTextContents(), ['Sam']);
  assert.deepEqual(relative.errors, []);
});
