/**
 * The family archive (packages/web/src/app/archive/), in real Chromium with a headless toy: the
 * guardian sends two messages, the toy plays the first and answers; "Download the family’s archive"
 * on the Family page shows a progress bar and downloads a ZIP. Unzipped here (Node side), every audio
 * file is byte for byte what was recorded (the browser's recordings, the toy's WAV), the index says who,
 * when, how long and whether it was played, and account.json is the server's account export. On the
 * way, the guardian opts in to the weekly activity summary mail on the Activity page.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
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
      (await suite.server.db.selectFrom('messages').select('id').where('family_id', '=', familyId).execute()).length;

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
    await toy.recordAnswer();
    await goTo(g, 'Home');
    await g.locator('.bubble.theirs').first().waitFor({ timeout: 30_000 });

    // The weekly summary mail is a setting on the Activity page (reached from Family).
    await goTo(g, 'Family');
    await g.getByRole('link', { name: 'See the family’s activity' }).click();
    await g.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await g.getByLabel('Mail me a summary every 7 days').check();
    await g.getByRole('status').filter({ hasText: 'you will get a summary by mail every 7 days' }).waitFor();
    const subscribed = await suite.server.db.selectFrom('activity_summaries').select('account_id').where('family_id', '=', familyId).execute();
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
    assert.deepEqual(browser.errors, []);
  } finally {
    await toy.stop();
  }
});
