/**
 * A guardian's browser rotates its KEM key like the toy does (docs/protocol.md §14.3), in real
 * Chromium: the schedule is driven by the clocks, not by waiting — the server runs on a clock the test
 * sets, and the browser's Date is fixed to the same time (Playwright's clock), moved days at a time
 * with a reload (the app checks its keys on every sync). After a week the browser publishes a record
 * its identity signed, which the server keeps; after the grace period the old private key is gone
 * from the browser's IndexedDB; and an answer the headless toy seals afterwards opens in the browser,
 * byte for byte, with only the new key held.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { fromBase64url, kemPublicKeyOf, parseKemKeyRecord, toBase64url, verifyKemKeyRecord } from '@burrow/protocol';
import { peek, startTestServer, type TestServer } from '@burrow/server/testing';
import { fileRecorder } from '@burrow/toy';
import { blobAt, buildWeb, chromiumPath, everythingStored, makeVoiceWav, openBrowser, scratch, startHeadlessToy, waitFor, type BrowserSession } from './harness.js';
import { goTo, pairWithCode, setUpFamily, signUp, uniqueEmail } from './flows.js';

const DAY = 24 * 60 * 60 * 1000;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The server's clock: real time shifted by `offset` (time runs, so timers and sessions behave). */
const shift = { offset: -10 * DAY };
const clock = { now: () => Date.now() + shift.offset };

const temp = scratch('burrow-device-rotation-');
let server: TestServer;
let voiceWav = '';
const sessions: BrowserSession[] = [];
before(async () => {
  chromiumPath();
  buildWeb();
  server = await startTestServer({ clock });
  voiceWav = makeVoiceWav(temp.dir, 'Hello Bunny, this is Mum.');
});
after(async () => {
  for (const s of sessions) await s.close();
  await (server as TestServer | undefined)?.close();
  temp.cleanup();
});

/** A value of the app's IndexedDB `state` store ('keys', 'kemState'). */
async function stateValue<T>(page: Page, key: string): Promise<T> {
  return await page.evaluate<T>(`new Promise((resolve, reject) => {
    const open = indexedDB.open('burrow');
    open.onerror = () => reject(new Error('no database'));
    open.onsuccess = () => {
      const get = open.result.transaction('state').objectStore('state').get(${JSON.stringify(key)});
      get.onsuccess = () => { open.result.close(); resolve(get.result ?? null); };
      get.onerror = () => reject(get.error);
    };
  })`);
}

/** Moves the server's and the browser's clocks to real time + `offsetDays`, and reloads the app (a sync, so a key check). */
async function moveClocks(page: Page, offsetDays: number): Promise<void> {
  shift.offset = offsetDays * DAY;
  await page.clock.setFixedTime(clock.now());
  await page.reload();
  await page.getByRole('heading', { name: 'Home' }).waitFor({ timeout: 20_000 });
}

void test(
  'a guardian’s browser rotates its KEM key on schedule: the server holds the signed record, the old key leaves IndexedDB, and an answer sealed afterwards opens',
  { timeout: 300_000 },
  async () => {
    const browser = await openBrowser(voiceWav);
    sessions.push(browser);
    const g = browser.page;
    // Ten days ago, on both clocks: the family is made then.
    await g.clock.setFixedTime(clock.now());
    await signUp(g, server.url, uniqueEmail('mum'));
    await setUpFamily(g, server.url, 'Ada', 'Mum');
    const me = await peek(() => server.db.selectFrom('devices').select(['id', 'sign_public_key', 'kem_public_key']).where('kind', '=', 'person').executeTakeFirstOrThrow());
    const first = await stateValue<{ kemSecretKey: string }>(g, 'keys');
    assert.equal(toBase64url(kemPublicKeyOf(fromBase64url(first.kemSecretKey, 32))), me.kem_public_key, 'the browser holds the key the roster lists');
    const epoch0Secret = first.kemSecretKey;
    await waitFor('the first key check', async () => (await stateValue<{ epoch: number } | null>(g, 'kemState'))?.epoch === 0);

    // Four days on (the session is used, as a person opening the app would), then eight: a week
    // after the first check the key rotates and the browser publishes its record.
    await moveClocks(g, -6);
    await moveClocks(g, -2);
    const row = await waitFor('the server to hold the browser’s new key record', () =>
      peek(() => server.db.selectFrom('device_kem_keys').selectAll().where('device_id', '=', me.id).executeTakeFirst()),
    );
    const record = parseKemKeyRecord(JSON.parse(row.record_json));
    assert.equal(record.epoch, 1);
    assert.equal(record.deviceId, me.id);
    assert.ok(verifyKemKeyRecord(record, me.sign_public_key), 'signed by the browser’s identity key');
    assert.notEqual(record.kemPublicKey, me.kem_public_key);
    const current = await stateValue<{ kemSecretKey: string }>(g, 'keys');
    assert.equal(toBase64url(kemPublicKeyOf(fromBase64url(current.kemSecretKey, 32))), record.kemPublicKey, 'the record names the key the browser now holds');
    // In its grace period the old key is still kept (messages in flight): the scan finds it.
    const retired = await stateValue<{ retired: { epoch: number }[] }>(g, 'kemState');
    assert.deepEqual(retired.retired.map((r) => r.epoch), [0]);
    assert.ok((await everythingStored(g)).includes(epoch0Secret), 'the old key is in IndexedDB during the grace period');

    // Two days after publication (now): the grace is over and the old private key is erased.
    await moveClocks(g, 0);
    await waitFor('the browser to erase its old key', async () => (await stateValue<{ retired: unknown[] }>(g, 'kemState')).retired.length === 0);
    const stored = await everythingStored(g);
    assert.equal(stored.includes(epoch0Secret), false, 'the erased key is nowhere in the browser’s IndexedDB');
    assert.ok(stored.includes(current.kemSecretKey), 'the current key is');

    // A toy paired now (the headless toy runs on real time, as the clocks do again) answers: its
    // answer is sealed to the browser's new key, the only one the browser holds, and it opens.
    const answerDir = join(temp.dir, 'answer');
    mkdirSync(answerDir);
    const answerWav = makeVoiceWav(answerDir, 'Hi Mum, the cat is asleep.');
    const toy = await startHeadlessToy({ server, temp, voiceWav }, { recorder: fileRecorder(answerWav) });
    try {
      await pairWithCode(g, await toy.holdPairingButton());
      await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());
      await toy.recordAnswer();
      await goTo(g, 'Listen');
      const bubble = g.locator('.bubble.theirs').first();
      await bubble.waitFor({ timeout: 20_000 });
      await bubble.getByRole('button', { name: /^Play message from Ada’s toy/ }).click();
      const url = await waitFor('the answer to play', async () => {
        const src = await g.evaluate<string>(`(() => { const a = document.querySelector('.bubble.theirs audio'); return a && a.src ? a.src : ''; })()`);
        return src || undefined;
      });
      const heard = await blobAt(g, url);
      assert.equal(heard.hash, sha256(readFileSync(answerWav)), 'the browser opened the bytes the toy recorded');
      assert.deepEqual(browser.errors, []);
    } finally {
      await toy.stop();
    }
  },
);
