/**
 * The browser and Node implementations of each role talk to each other: the headless toy (the one a
 * Raspberry Pi runs, packages/toy) obeys the browser guardian app, and the browser toy simulator
 * obeys a guardian outside the browser (FamilyDevice in Node, as the CLI and demo use it). Same
 * protocol code, different platforms, byte-identical audio both ways.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiClient, FamilyDevice, MemoryStore } from '@burrow/client';
import { fileRecorder } from '@burrow/toy';
import {
  blobAt,
  browserSuite,
  lastRecordedHash,
  makeVoiceWav,
  openBrowser,
  PASSWORD,
  waitFor,
  startHeadlessToy,
} from './harness.js';
import {
  goTo,
  pairWithCode,
  playOnToy,
  recordAnswerOnToy,
  recordMessage,
  setUpFamily,
  showPairingCode,
  signUp,
  uniqueEmail,
  waitForToy,
} from './flows.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const suite = browserSuite('burrow-interop-', 'Hello from the family. This is a test of the Burrow toy.');

void test(
  'the headless toy pairs with the browser guardian app, plays its message and answers it',
  { timeout: 180_000 },
  async () => {
    const browser = await openBrowser(suite.voiceWav);
    suite.sessions.push(browser);
    const g = browser.page;
    await signUp(g, suite.server.url, uniqueEmail('dad'));
    await setUpFamily(g, suite.server.url, 'Sam', 'Dad');

    const played: Uint8Array[] = [];
    const answerDir = join(suite.temp.dir, 'answer');
    mkdirSync(answerDir);
    const answerWav = makeVoiceWav(answerDir, 'Hi Dad, I fed the cat.');
    const answerBytes = readFileSync(answerWav);
    const toy = await startHeadlessToy(suite, {
      onPlay: (audio) => void played.push(audio),
      recorder: fileRecorder(answerWav),
    });
    try {
      const code = await toy.holdPairingButton();
      await pairWithCode(g, code);
      await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());

      await goTo(g, 'Talk');
      await recordMessage(g, 2);
      await g.getByRole('button', { name: 'Send to Sam’s toy' }).click();
      await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
      const sent = await lastRecordedHash(g);

      await waitFor(
        'the message to reach the headless toy',
        async () => (await toy.device.unplayedCount()) === 1,
      );
      const result = await toy.playNext();
      assert.ok(result, 'the headless toy played a message');
      assert.equal(sha256(result.audio), sent, 'the headless toy played the bytes the browser recorded');
      assert.equal(result.meta.senderName, 'Dad');
      assert.equal(played.length, 1);

      // The played receipt reaches the browser over its stream.
      await goTo(g, 'Home');
      await g.locator('.bubble.mine .ticks.played').waitFor({ timeout: 15_000 });

      await toy.recordAnswer();
      await goTo(g, 'Listen');
      const bubble = g.locator('.bubble.theirs').first();
      await bubble.waitFor({ timeout: 20_000 });
      await bubble.getByRole('button', { name: /^Play message from Sam’s toy/ }).click();
      const url = await waitFor('the answer to play', async () => {
        const src = await g.evaluate<string>(
          `(() => { const a = document.querySelector('.bubble.theirs audio'); return a && a.src ? a.src : ''; })()`,
        );
        return src || undefined;
      });
      const heard = await blobAt(g, url);
      assert.equal(heard.hash, sha256(answerBytes), 'the browser heard the bytes the headless toy recorded');
      assert.ok(heard.duration > 0);
      assert.deepEqual(browser.errors, []);
    } finally {
      await toy.stop();
    }
  },
);

void test(
  'the toy simulator pairs with a guardian outside the browser and they exchange messages',
  { timeout: 180_000 },
  async () => {
    const browser = await openBrowser(suite.voiceWav);
    suite.sessions.push(browser);
    const t = browser.page;

    const api = new ApiClient({ baseUrl: suite.server.url });
    const grandpa = await FamilyDevice.open({ api, store: new MemoryStore() });
    await grandpa.signUp(uniqueEmail('grandpa'), PASSWORD);
    const familyId = await grandpa.createFamily();
    const childId = await grandpa.createChild(familyId, 'Leo');

    await t.goto(`${suite.server.url}/toy`);
    await waitForToy(t, 'the simulator to come online', (s) => s.online);
    const code = await showPairingCode(t);
    const toyId = await grandpa.claimToy(familyId, childId, code);
    await waitForToy(t, 'the simulator to pin the roster', (s) => s.paired, 15_000);

    const wav = new Uint8Array(readFileSync(suite.voiceWav));
    await grandpa.sendVoice(familyId, [toyId], wav, {
      senderName: 'Grandpa',
      mimeType: 'audio/wav',
      durationMs: 3000,
    });
    await waitForToy(t, 'the message to reach the simulator', (s) => s.unplayed === 1);
    const playedUrl = await playOnToy(t);
    const heard = await blobAt(t, playedUrl);
    assert.equal(heard.hash, sha256(wav), 'the simulator played the bytes sent from Node');
    assert.ok(heard.duration > 0);
    await t.getByText('Playing a message from Grandpa…').waitFor();

    await recordAnswerOnToy(t, 2);
    await t.getByText(/^Sent your .* answer to your family\./).waitFor({ timeout: 20_000 });
    const recorded = await lastRecordedHash(t);
    const received = await waitFor('the answer to reach the Node guardian', async () => {
      const messages = await grandpa.sync();
      return messages.find((m) => m.from === toyId);
    });
    assert.equal(
      sha256(received.audio),
      recorded,
      'the Node guardian opened the bytes the simulator recorded',
    );
    assert.deepEqual(browser.errors, []);
  },
);
