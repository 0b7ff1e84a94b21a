/**
 * Incident notices in the web app: the operator runs `burrow incident open` and `notify` (the real
 * CLI, against the suite's server), and the family's guardian sees a banner on every page, then the
 * notice with the five headings California Civil Code § 1798.82(d)(1) requires and its dates. The
 * page passes axe-core and fits a 360 px screen; once read, the banner goes away.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { assertAccessible, assertNoHorizontalOverflow, browserSuite, openBrowser, root, screenshots } from './harness.js';
import { setUpFamily, signUp, uniqueEmail } from './flows.js';
import { nodeEntry } from '../../packages/server/src/testing/processes.js';

const suite = browserSuite('burrow-notices-', 'Hello Sam.');

const HEADINGS = ['What Happened', 'What Information Was Involved', 'What We Are Doing', 'What You Can Do', 'For More Information'];

/** `burrow incident …` as the operator runs it, against the suite's server's database. */
function burrow(...args: string[]): Promise<{ code: number | null; out: string }> {
  const server = suite.server;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BURROW_DATA_DIR: server.dataDir,
    ...(server.config.database.kind === 'postgres' ? { BURROW_DATABASE_URL: server.config.database.url } : {}),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeEntry(root, 'packages/server/src/cli.ts'), 'incident', ...args], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      resolve({ code, out });
    });
  });
}

void test('a notified guardian sees the banner, then the notice with all five headings and its dates', { timeout: 240_000 }, async () => {
  const session = await openBrowser(suite.voiceWav);
  suite.sessions.push(session);
  const page = session.page;
  await signUp(page, suite.server.url, uniqueEmail('notice'));
  await setUpFamily(page, suite.server.url, 'Sam', 'Mum');
  const me = await page.evaluate<{ families: { familyId: string }[] }>("fetch('/v1/me').then((r) => r.json())");
  const familyId = me.families[0]?.familyId ?? '';
  assert.ok(familyId);

  const opened = await burrow(
    'open',
    '--summary',
    'A misconfigured backup bucket could be listed by anyone for two days.',
    '--scope',
    `family:${familyId}`,
    '--occurred',
    '2026-11-20..2026-11-21',
    '--discovered',
    '2026-11-22T09:30Z',
  );
  assert.equal(opened.code, 0, opened.out);
  const incidentId = /Incident (inc_\w+) opened/.exec(opened.out)?.[1] ?? '';
  const notified = await burrow('notify', incidentId);
  assert.equal(notified.code, 0, notified.out);
  assert.match(notified.out, /1 notified now/);

  await page.reload();
  const banner = page.getByRole('note').filter({ hasText: 'about a security incident' });
  await banner.waitFor();
  await assertAccessible(page, 'Home with the notice banner');
  await banner.getByRole('link', { name: 'Read the notice' }).click();
  await page.getByRole('heading', { name: 'Notices', level: 1 }).waitFor();
  const article = page.getByRole('article', { name: 'Notice of Data Breach' });
  await article.waitFor();
  assert.deepEqual(await article.getByRole('heading', { level: 3 }).allTextContents(), HEADINGS);
  const text = (await article.textContent()) ?? '';
  // One date format for the language (src/app/date-time.ts), not ISO days.
  assert.match(text, /Nov 20, 2026 to Nov 21, 2026/);
  assert.match(text, /When we discovered itNov 22, 2026/);
  assert.match(text, /misconfigured backup bucket/);
  assert.ok(text.includes(incidentId), 'the incident reference');

  await assertAccessible(page, 'Notices');
  await assertNoHorizontalOverflow(page);
  await screenshots(page, 'notices');

  // Read now: the banner is gone from the other pages, and the notice stays listed.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  // Wait for the banner to go (it may show until the read is reloaded), not a fixed time.
  const gone = page.getByRole('note').filter({ hasText: 'about a security incident' });
  await gone.waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await gone.count(), 0);
  // At desktop width the header links to Notices (on a phone there is room for one link: Security).
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.getByRole('banner').getByRole('link', { name: 'Notices' }).click();
  await page.getByRole('article', { name: 'Notice of Data Breach' }).waitFor();
  assert.deepEqual(session.errors, []);
});
