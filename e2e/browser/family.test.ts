/**
 * Who may talk to the child, through the UI: a guardian invites a relative, the relative (another
 * browser profile) joins with the link, the guardian compares the device fingerprint and approves them
 * on the Family page, the relative's message plays on the toy at the volume the guardian set; the
 * guardian turns on review before play for the relative: the next message waits (the toy's heart stays
 * dark) until the guardian approves it on the Review page, then the toy plays it; then the guardian
 * blocks them, their next message is refused with a clear sentence and never reaches the toy.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  browserSuite,
  hold,
  openBrowser,
  PASSWORD,
  screenshots,
  waitFor,
} from './harness.js';
import { goTo, pairWithCode, saveRecoveryCodes, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-family-', 'Hello Sam, this is Grandma.');

void test(
  'a guardian invites and approves a relative, whose messages play until they are blocked',
  { timeout: 240_000 },
  async () => {
    const guardianBrowser = await openBrowser(suite.voiceWav);
    suite.sessions.push(guardianBrowser);
    const g = guardianBrowser.page;
    g.on('dialog', (dialog) => void dialog.accept());
    await signUp(g, suite.server.url, uniqueEmail('mum'));
    await setUpFamily(g, suite.server.url, 'Sam', 'Mum');

    const played: Uint8Array[] = [];
    const volumes: (number | undefined)[] = [];
    const toy = await HeadlessToy.start({
      server: suite.server.url,
      dataDir: join(suite.temp.dir, 'headless-toy'),
      player: (audio, info) => {
        played.push(audio);
        volumes.push(info.volume);
        return Promise.resolve('memory');
      },
      recorder: fileRecorder(suite.voiceWav),
      recordMimeType: 'audio/wav',
    });
    try {
      const pairing = await toy.holdPairingButton();
      await pairWithCode(g, pairing);
      await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());

      // Toy settings on the Toys page: quiet hours (the picker defaults to the browser's time zone),
      // then none, and the volume — each save is one record this browser signs.
      await g.getByLabel(/keep messages until morning/).check();
      await g.getByLabel('Time zone').waitFor();
      await g.getByRole('button', { name: 'Save settings' }).click();
      await g.getByText(/^Saved\. .* stays quiet from/).waitFor({ timeout: 15_000 });
      await g.getByLabel(/keep messages until morning/).uncheck();
      await g.getByLabel(/^Volume/).fill('40');
      await g.getByRole('button', { name: 'Save settings' }).click();
      await g.getByText(/plays at volume 40\.$/).waitFor({ timeout: 15_000 });
      await assertAccessible(g, 'Toys with settings');
      await screenshots(g, 'toys-settings');

      // The guardian creates an invitation on the Family page.
      await goTo(g, 'Family');
      await g.getByText('Nobody is waiting.', { exact: false }).waitFor();
      await assertAccessible(g, 'Family (empty)');
      await screenshots(g, 'family-empty');
      await g.getByRole('button', { name: 'Create an invitation' }).click();
      const link = (await g.locator('.invite-link').textContent({ timeout: 10_000 })) ?? '';
      assert.match(link, /\/join#.+/);
      await screenshots(g, 'family-invitation');

      // The relative opens the link in their own browser, signs up and asks to join.
      const relativeBrowser = await openBrowser(suite.voiceWav);
      suite.sessions.push(relativeBrowser);
      const r = relativeBrowser.page;
      const grandma = uniqueEmail('grandma');
      await r.goto(link);
      await r.getByText('You were invited to a family on Burrow.', { exact: false }).waitFor();
      await assertAccessible(r, 'Join (signed out)');
      await screenshots(r, 'join-signed-out');
      await r.getByLabel('Email').fill(grandma);
      await r.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await r
        .getByRole('meter', { name: 'Password strength' })
        .and(r.locator('[aria-valuenow="4"]'))
        .waitFor();
      await r.getByRole('button', { name: 'Create account' }).click();
      await saveRecoveryCodes(r);
      await r.getByRole('heading', { name: 'Join a family' }).waitFor({ timeout: 15_000 });
      assert.notEqual(await r.getByLabel('Invitation code').inputValue(), '', 'the code came from the link');
      await r.getByRole('button', { name: 'Ask to join' }).click();
      await r.getByRole('heading', { name: 'Waiting for a guardian' }).waitFor({ timeout: 15_000 });
      const relativeFingerprint = (await r.getByTestId('my-fingerprint').textContent())?.trim() ?? '';
      assert.match(relativeFingerprint, /^\d{5} \d{5} \d{5} \d{5} \d{5}$/);
      await assertAccessible(r, 'Join (waiting)');
      await screenshots(r, 'join-waiting');

      // The same link again: used, so 410 with a clear message (from a third, fresh account).
      const third = await openBrowser(suite.voiceWav);
      suite.sessions.push(third);
      await third.page.goto(link);
      await third.page.getByLabel('Email').fill(uniqueEmail('stranger'));
      await third.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await third.page
        .getByRole('meter', { name: 'Password strength' })
        .and(third.page.locator('[aria-valuenow="4"]'))
        .waitFor();
      await third.page.getByRole('button', { name: 'Create account' }).click();
      await saveRecoveryCodes(third.page);
      await third.page.getByRole('button', { name: 'Ask to join' }).click();
      await third.page.getByText(/already used or has expired/).waitFor({ timeout: 15_000 });
      await third.close();

      // The guardian approves Grandma (member, may send, may hear).
      await g.getByRole('heading', { name: grandma, level: 3 }).waitFor({ timeout: 15_000 });
      // The guardian sees the same fingerprint, computed from the keys the server handed over.
      const request = g.locator('li.card', { has: g.getByRole('heading', { name: grandma, level: 3 }) });
      assert.deepEqual(await request.locator('.fingerprint').allTextContents(), [relativeFingerprint]);
      await assertAccessible(g, 'Family (join request)');
      await screenshots(g, 'family-join-request');
      await g.getByRole('button', { name: `Approve ${grandma}` }).click();
      await g.getByText(`${grandma} has joined your family.`).waitFor({ timeout: 15_000 });
      await g.getByRole('button', { name: `Block ${grandma}` }).waitFor();
      await assertAccessible(g, 'Family (members)');
      await assertNoHorizontalOverflow(g);
      await screenshots(g, 'family-members');

      // Grandma's browser enters the family by itself and sends to the toy.
      await r.getByRole('heading', { name: 'Home' }).waitFor({ timeout: 20_000 });
      await waitFor('the toy to learn the new roster', async () => {
        const roster = await toy.device.roster();
        return roster?.devices.some((d) => d.role === 'member');
      });
      await goTo(r, 'Talk');
      await hold(r, 'button.record', 2500);
      await r.getByRole('button', { name: /^Send to / }).click();
      await r.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
      await waitFor(
        'Grandma’s message to reach the toy',
        async () => (await toy.device.unplayedCount()) === 1,
      );
      const result = await toy.playNext();
      assert.ok(result, 'the toy played Grandma’s message');
      assert.equal(played.length, 1);
      assert.deepEqual(volumes, [40], 'at the volume the guardian set');

      // Review before play: the guardian turns it on for Grandma in the toy's settings.
      await goTo(g, 'Toys');
      await g.getByLabel(`Review messages from ${grandma}`).check();
      await g.getByRole('button', { name: 'Save settings' }).click();
      await g.getByText(/waits for your approval of messages from 1 person\.$/).waitFor({ timeout: 15_000 });
      await waitFor('the toy to hold the review settings', async () => {
        await toy.sync();
        const settings = await toy.device.settings();
        return settings?.v === 2 && settings.review.length > 0;
      });
      await goTo(g, 'Review');
      await g.getByText('Nothing waiting for review').waitFor();
      // Grandma sends; the toy's heart stays dark.
      await goTo(r, 'Talk');
      await hold(r, 'button.record', 2200);
      await r.getByRole('button', { name: /^Send to / }).click();
      await r.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
      // The guardian's queue shows it without a reload (stream), opened and playable here.
      const waiting = g.getByRole('list', { name: 'Messages waiting for review' }).getByRole('listitem');
      await waiting.first().waitFor({ timeout: 20_000 });
      await waiting.first().locator('audio[src^="blob:"]').waitFor({ timeout: 15_000 });
      await toy.sync();
      assert.equal(await toy.device.unplayedCount(), 0, 'the heart stays dark until a guardian approves');
      assert.equal(await toy.playNext(), undefined);
      await assertAccessible(g, 'Review (waiting)');
      await screenshots(g, 'review-waiting');
      await g.getByRole('button', { name: 'Approve' }).click();
      await g.getByText('Nothing waiting for review').waitFor({ timeout: 15_000 });
      await waitFor('the approved message to reach the toy', async () => (await toy.device.unplayedCount()) === 1);
      const reviewed = await toy.playNext();
      assert.ok(reviewed, 'the toy played the approved message');
      assert.equal(played.length, 2);

      // The guardian blocks Grandma: her next message is refused and never plays.
      await goTo(g, 'Family');
      await g.getByRole('button', { name: `Block ${grandma}` }).click();
      await g.getByRole('list').getByText(grandma).first().waitFor();
      await g.getByRole('button', { name: `Unblock ${grandma}` }).waitFor({ timeout: 15_000 });
      await assertAccessible(g, 'Family (blocked)');
      await screenshots(g, 'family-blocked');

      // Grandma tries again: the server refuses the send (as it answers a stranger, "No such family")
      // and her page says plainly what that means for her.
      await goTo(r, 'Talk');
      await hold(r, 'button.record', 2000);
      await r.getByRole('button', { name: /^Send to / }).click();
      await r.getByText('You can no longer send to this family.', { exact: false }).waitFor({ timeout: 20_000 });
      assert.equal(await r.getByText('No such family', { exact: false }).count(), 0);
      await screenshots(r, 'talk-refused-after-block');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await toy.sync();
      assert.equal(await toy.device.unplayedCount(), 0, 'nothing new reached the toy after the block');
      assert.equal(played.length, 2, 'the blocked relative’s message never played');
      assert.deepEqual(guardianBrowser.errors, []);
    } finally {
      await toy.stop();
    }
  },
);
