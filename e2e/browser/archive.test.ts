/**
 * The family archive (packages/web/src/app/archive/), in real Chromium with a headless toy: the
 * guardian sends two messages, the toy plays the first and answers; "Download the family’s archive"
 * on the Family page shows a progress bar and downloads a ZIP. Unzipped here (Node side), every audio
 * file is byte for byte what was recorded (the browser's recordings, the toy's WAV), the index says who,
 * when, how long and whether it was played, and account.json is the server's account export. On the
 * way, the guardian opts in to the weekly activity summary mail on the Activity page. Before the
 * export, the browser's stored history is read raw: encrypted at rest under a non-extractable key, an
 * older clear record encrypted on the next load; after it, records swapped between ids are skipped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { peek } from '@burrow/server/testing';
import type { Page } from 'playwright-core';
import { strFromU8, unzipSync } from 'fflate';
import { assertAccessible, browserSuite, lastRecordedHash, openBrowser, waitFor, startHeadlessToy } from './harness.js';
import { goTo, pairWithCode, recordMessage, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-archive-', 'Hello from the archive test.');

interface IndexEntry {
  file: string;
  messageId: string;
  from: string;
  to: string[];
  sentAt: string;
  durationMs: number | null;
  played: boolean;
  mimeType: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What the app's IndexedDB holds at rest, read raw in the page (docs/privacy.md "History in this browser"). */
interface AtRest {
  records: number;
  sealed: number;
  blobs: number;
  /** Needles (runs of the audio's own bytes) found in any byte field or Blob of a stored message. */
  hits: number[];
  /** String fields of stored messages that equal a sender's name. */
  names: string[];
  key: { isCryptoKey: boolean; extractable: boolean; algorithm: string; length: number; exportRefused: boolean };
}

/** In-page code (for page.evaluate): the app's IndexedDB database, opened; a transaction `tx`, committed. */
const OPEN_DB = `await new Promise((resolve, reject) => {
      const open = indexedDB.open('burrow');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });`;
const COMMITTED = 'new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });';

/**
 * Reads every record of the `messages` store and the archive key from `state`, in the page, and looks
 * for the needles' bytes and the sender names in them (Blobs found are read too, so a clear record
 * counts both as a Blob and as a hit).
 */
async function atRest(page: Page, needles: number[][], senderNames: string[]): Promise<AtRest> {
  return await page.evaluate<AtRest>(`(async () => {
    const needles = ${JSON.stringify(needles)}.map((n) => new Uint8Array(n));
    const senderNames = ${JSON.stringify(senderNames)};
    const db = ${OPEN_DB}
    const read = (store, fn) => new Promise((resolve, reject) => {
      const r = fn(db.transaction(store).objectStore(store));
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const rows = await read('messages', (s) => s.getAll());
    const key = await read('state', (s) => s.get('archive:key'));
    db.close();
    const contains = (hay, needle) => {
      outer: for (let i = 0; i + needle.length <= hay.length; i++) {
        for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
        return true;
      }
      return false;
    };
    let blobs = 0, sealed = 0;
    const arrays = [], names = [];
    const walk = async (v) => {
      if (v instanceof Blob) { blobs++; arrays.push(new Uint8Array(await v.arrayBuffer())); }
      else if (v instanceof ArrayBuffer) arrays.push(new Uint8Array(v));
      else if (ArrayBuffer.isView(v)) arrays.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      else if (typeof v === 'string') { if (senderNames.includes(v)) names.push(v); }
      else if (v && typeof v === 'object') for (const x of Object.values(v)) await walk(x);
    };
    for (const row of rows) { if (row.sealed) sealed++; await walk(row); }
    const hits = needles.map((n, i) => (arrays.some((a) => contains(a, n)) ? i : -1)).filter((i) => i >= 0);
    let exportRefused = false;
    try { await crypto.subtle.exportKey('raw', key); } catch { exportRefused = true; }
    return {
      records: rows.length, sealed, blobs, hits, names,
      key: { isCryptoKey: key instanceof CryptoKey, extractable: key?.extractable, algorithm: key?.algorithm?.name, length: key?.algorithm?.length, exportRefused },
    };
  })()`);
}

/** Rewrites a stored message as versions before the at-rest encryption kept it: audio and sender's name in clear. */
async function storeInClear(page: Page, messageId: string, audio: number[], senderName: string): Promise<void> {
  await page.evaluate(`(async () => {
    const db = ${OPEN_DB}
    const tx = db.transaction('messages', 'readwrite');
    const store = tx.objectStore('messages');
    const get = store.get(${JSON.stringify(messageId)});
    get.onsuccess = () => {
      const { sealed, ...meta } = get.result;
      store.put({ ...meta, senderName: ${JSON.stringify(senderName)}, audio: new Blob([new Uint8Array(${JSON.stringify(audio)})], { type: meta.mimeType }) });
    };
    await ${COMMITTED}
    db.close();
  })()`);
}

/** Swaps the sealed content of two stored messages (what someone editing the database might do). */
async function swapSealed(page: Page, a: string, b: string): Promise<void> {
  await page.evaluate(`(async () => {
    const db = ${OPEN_DB}
    const tx = db.transaction('messages', 'readwrite');
    const store = tx.objectStore('messages');
    const ra = store.get(${JSON.stringify(a)});
    const rb = store.get(${JSON.stringify(b)});
    rb.onsuccess = () => {
      store.put({ ...ra.result, sealed: rb.result.sealed });
      store.put({ ...rb.result, sealed: ra.result.sealed });
    };
    await ${COMMITTED}
    db.close();
  })()`);
}

/** 48 bytes from the middle of some audio: long enough never to occur by chance in ciphertext. */
const middle = (bytes: Uint8Array): number[] => Array.from(bytes.subarray(bytes.length / 2, bytes.length / 2 + 48));

void test('the family archive holds every message byte for byte, an index and the account data', { timeout: 240_000 }, async () => {
  const url = suite.server.url;
  const browser = await openBrowser(suite.voiceWav);
  suite.sessions.push(browser);
  const g = browser.page;
  const email = uniqueEmail('archiving');
  await signUp(g, url, email);
  await setUpFamily(g, url, 'Ada', 'Mum');
  const toy = await startHeadlessToy(suite, { name: 'archive-toy' });
  try {
    await pairWithCode(g, await toy.holdPairingButton());
    await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());
    const familyId = (await toy.device.roster())!.familyId;
    const countMessages = async () =>
      (await peek(() => suite.server.db.selectFrom('messages').select('id').where('family_id', '=', familyId).execute())).length;

    // Two messages from the browser, each recorded by the fake microphone.
    const sent: string[] = [];
    for (const n of [1, 2]) {
      await goTo(g, 'Talk');
      await recordMessage(g, 1);
      sent.push(await lastRecordedHash(g));
      await g.getByRole('button', { name: 'Send to Ada’s toy' }).click();
      await waitFor(`message ${String(n)} to reach the server`, async () => (await countMessages()) === n);
    }
    // The toy plays the first and answers with its WAV.
    await waitFor('the toy to hold both', async () => (await toy.device.unplayedCount()) === 2);
    const played = await toy.playNext();
    assert.ok(played);
    const answerId = await toy.recordAnswer();
    await goTo(g, 'Home');
    await g.locator('.bubble.theirs').first().waitFor({ timeout: 30_000 });

    // At rest, what the three messages say is sealed: no Blob, none of the audio's bytes, no sender's
    // name in clear, under a key this browser made and cannot export (docs/privacy.md).
    const wav = new Uint8Array(readFileSync(suite.voiceWav));
    const recorded = await g.evaluate<number[][]>(
      `Promise.all(window.__burrowTap.recorded.map(async (b) => { const a = new Uint8Array(await b.arrayBuffer()); return Array.from(a.subarray(a.length / 2, a.length / 2 + 48)); }))`,
    );
    assert.equal(recorded.length, 2, 'both recordings tapped');
    const needles = [...recorded, middle(wav)];
    const senderNames = ['Mum', 'Ada’s toy'];
    const sealedKey = { isCryptoKey: true, extractable: false, algorithm: 'AES-GCM', length: 256, exportRefused: true };
    const before = await atRest(g, needles, senderNames);
    assert.deepEqual(before, { records: 3, sealed: 3, blobs: 0, hits: [], names: [], key: sealedKey });

    // A record as older versions stored it (audio and name in clear) is read as before and sealed on
    // that first read: the toy's answer rewritten in clear, then the app reloaded.
    await storeInClear(g, answerId, Array.from(wav), 'Ada’s toy');
    const planted = await atRest(g, needles, senderNames);
    assert.deepEqual([planted.sealed, planted.blobs, planted.hits, planted.names], [2, 1, [2], ['Ada’s toy']], 'the planted record is in clear');
    await g.reload();
    await g.locator('.bubble.theirs').first().waitFor({ timeout: 30_000 });
    const after = await waitFor('the clear record to be sealed', async () => {
      const r = await atRest(g, needles, senderNames);
      return r.sealed === 3 ? r : undefined;
    });
    assert.deepEqual(after, before, 'sealed again, same key');

    // The weekly summary mail is a setting on the Activity page (reached from Family).
    await goTo(g, 'Family');
    await g.getByRole('link', { name: 'See the family’s activity' }).click();
    await g.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await g.getByLabel('Mail me a summary every 7 days').check();
    await g.getByRole('status').filter({ hasText: 'you will get a summary by mail every 7 days' }).waitFor();
    const subscribed = await peek(() => suite.server.db.selectFrom('activity_summaries').select('account_id').where('family_id', '=', familyId).execute());
    assert.equal(subscribed.length, 1, 'the opt-in is stored');
    await assertAccessible(g, 'Activity page with the summary setting');

    // Download: the progress bar shows while the browser builds the ZIP.
    await goTo(g, 'Family');
    const card = g.getByRole('region', { name: 'The family’s archive' });
    await g.evaluate(
      `(() => { window.__sawProgress = false; new MutationObserver(() => { if (document.querySelector('.archive-progress progress')) window.__sawProgress = true; }).observe(document.body, { childList: true, subtree: true }); })()`,
    );
    const [download] = await Promise.all([g.waitForEvent('download'), card.getByRole('button', { name: 'Download the family’s archive' }).click()]);
    assert.match(download.suggestedFilename(), /^burrow-family-archive-\d{4}-\d\d-\d\d\.zip$/);
    const zipPath = join(suite.temp.dir, 'archive.zip');
    await download.saveAs(zipPath);
    await card.getByRole('status').filter({ hasText: 'Archive ready: 3 messages.' }).waitFor();
    assert.equal(await g.evaluate<boolean>('window.__sawProgress'), true, 'a progress bar showed while it built');
    await assertAccessible(g, 'Family page with the archive card');

    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const index = JSON.parse(strFromU8(files['index.json']!)) as { familyId: string; messages: IndexEntry[] };
    assert.equal(index.familyId, familyId);
    assert.equal(index.messages.length, 3, 'every message this browser can open');
    const [first, second, answer] = index.messages;
    assert.ok(first && second && answer);
    assert.deepEqual([first.from, second.from, answer.from], ['You', 'You', 'Ada’s toy']);
    assert.equal(played.messageId, first.messageId, 'the toy played the first');
    assert.deepEqual([first.played, second.played, answer.played], [true, false, false], 'played: by the toy (sent) or here (received)');
    assert.deepEqual(first.to, ['Ada’s toy']);
    for (const e of index.messages) {
      assert.ok(files[e.file], `${e.file} is in the archive`);
      assert.ok(Number.isFinite(Date.parse(e.sentAt)));
    }
    assert.ok((first.durationMs ?? 0) > 0, `the recording's duration is listed (${String(first.durationMs)} ms)`);
    // Byte for byte: the browser's two recordings, and the toy's WAV.
    assert.equal(sha256(files[first.file]!), sent[0]);
    assert.equal(sha256(files[second.file]!), sent[1]);
    assert.deepEqual(Buffer.from(files[answer.file]!), readFileSync(suite.voiceWav));
    assert.match(answer.file, /\.wav$/);

    const csv = strFromU8(files['index.csv']!).trim().split('\r\n');
    assert.equal(csv.length, 4, 'a header and a row per message');
    assert.ok(csv[1]?.startsWith(`${first.file},${first.messageId},You,`));
    const account = JSON.parse(strFromU8(files['account.json']!)) as { account: { email: string } };
    assert.equal(account.account.email, email);

    // Records moved under another message's id fail to open (the id is the additional data): the app
    // skips them and still shows the rest.
    await goTo(g, 'Home');
    await waitFor('all three bubbles', async () => (await g.locator('.bubble').count()) === 3);
    await swapSealed(g, first.messageId, second.messageId);
    await g.reload();
    await g.locator('.bubble.theirs').first().waitFor({ timeout: 30_000 });
    assert.equal(await g.locator('.bubble.mine').count(), 0, 'the swapped records are not shown');
    assert.equal(await g.locator('.bubble.theirs').count(), 1);
    assert.deepEqual(browser.errors, []);
  } finally {
    await toy.stop();
  }
});
