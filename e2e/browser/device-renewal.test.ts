/**
 * A guardian's browser renews its identity (Ed25519) key from the Devices page, in real Chromium
 * (docs/protocol.md §17): no pairing again, same place in the family. The server forgets the old
 * device, the roster lists the new id in its place, the old signing secret is nowhere in the
 * browser's IndexedDB, and the toy plays the next message the browser sends under its new key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peek } from '@burrow/server/testing';
import type { Page } from 'playwright-core';
import { importDeviceKeys, type StoredDeviceKeys } from '@burrow/protocol';
import { browserSuite, everythingStored, openBrowser, startHeadlessToy, waitFor } from './harness.js';
import { goTo, pairWithCode, recordMessage, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-device-renewal-', 'Hello Bunny, this is Mum.');

/** The browser's stored key set (IndexedDB `state` → 'keys'). */
async function storedKeys(page: Page): Promise<StoredDeviceKeys> {
  return await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('burrow');
    open.onerror = () => reject(new Error('no database'));
    open.onsuccess = () => {
      const get = open.result.transaction('state').objectStore('state').get('keys');
      get.onsuccess = () => { open.result.close(); resolve(get.result); };
      get.onerror = () => reject(get.error);
    };
  })`);
}

void test('a guardian renews this browser’s keys on Devices: its place follows, its old signing key is gone, and the toy plays what it sends next', { timeout: 300_000 }, async () => {
  const browser = await openBrowser(suite.voiceWav);
  suite.sessions.push(browser);
  const g = browser.page;
  await signUp(g, suite.server.url, uniqueEmail('mum'));
  await setUpFamily(g, suite.server.url, 'Ada', 'Mum');
  const played: Uint8Array[] = [];
  const toy = await startHeadlessToy(suite, { onPlay: (audio) => played.push(audio) });
  try {
    await pairWithCode(g, await toy.holdPairingButton());
    await waitFor('the toy to pin the roster', () => toy.device.isPaired());

    const before = await storedKeys(g);
    const oldId = importDeviceKeys(before).deviceId;
    const person = await peek(() => suite.server.db.selectFrom('devices').select('id').where('kind', '=', 'person').execute());
    assert.deepEqual(person.map((d) => d.id), [oldId]);

    await goTo(g, 'Devices');
    const fingerprint = await g.getByTestId('my-fingerprint').textContent();
    await g.getByRole('button', { name: 'Renew this device’s keys' }).click();
    // A guardian's browser performs its own renewal at once (§17.2).
    await g.getByText(/^Done: this browser has new keys and a new fingerprint\./).waitFor({ timeout: 30_000 });

    const after = await storedKeys(g);
    const newId = importDeviceKeys(after).deviceId;
    assert.notEqual(newId, oldId);
    const rows = await peek(() => suite.server.db.selectFrom('devices').select('id').where('kind', '=', 'person').execute());
    assert.deepEqual(rows.map((d) => d.id), [newId], 'the server forgot the old device and knows the new one');
    const stored = await everythingStored(g);
    assert.equal(stored.includes(before.signSecretKey), false, 'the old signing secret is nowhere in IndexedDB');
    assert.ok(stored.includes(after.signSecretKey));
    await goTo(g, 'Devices');
    assert.notEqual(await g.getByTestId('my-fingerprint').textContent(), fingerprint, 'a new fingerprint');

    // The toy takes the roster step (it verifies the chain and the succession) and plays the next
    // message, signed by the new key.
    await goTo(g, 'Talk');
    await recordMessage(g, 2);
    await g.getByRole('button', { name: 'Send to Ada’s toy' }).click();
    await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    await waitFor('the message to reach the toy', async () => (await toy.device.unplayedCount()) === 1, 30_000);
    const sent = await peek(() => suite.server.db.selectFrom('messages').select('sender_id').execute());
    assert.deepEqual(sent.map((m) => m.sender_id), [newId], 'sent by the new identity');
    assert.ok(await toy.playNext(), 'the toy verified and played it');
    assert.equal(played.length, 1);
    assert.deepEqual(browser.errors, [], 'no errors in the app');
  } finally {
    await toy.stop();
  }
});
