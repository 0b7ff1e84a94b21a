/**
 * Time to first message (issue #14, "Done means"): a scripted newcomer in Chromium, from opening the
 * landing page to the toy's heart glowing — sign up (production argon2id cost, honeywords included),
 * save the recovery codes, set up the family, pair the toy simulator (already on, in its own
 * browser), record 2 s and send. Wall clock, with the split per step and the machine's load average,
 * since the figure says as much about the machine as about Burrow. The script types and clicks at
 * machine speed: a person adds their reading and typing time on top; the 2 s of recording is inside.
 *
 * The peer, measured in the same run: the same browser opening the landing page alone, so a loaded
 * machine shows as a larger peer too.
 *
 *   npx tsx bench/first-message.ts [--runs N]     (or: npm run bench -- first-message)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startTestServer } from '@burrow/server/testing';
import { buildWeb, makeVoiceWav, openBrowser, scratch } from '../e2e/browser/harness.js';
import { pairWithCode, recordMessage, saveRecoveryCodes, setUpFamily, showPairingCode, uniqueEmail, waitForToy } from '../e2e/browser/flows.js';

const PASSWORD = 'quiet maple lantern drifts by the old river';
/** The production default (config.ts defaultArgon2): tests use a cheaper one. */
const PRODUCTION_ARGON2 = { memoryKib: 19456, timeCost: 2, parallelism: 1 };

interface Run {
  landingMs: number;
  steps: [string, number][];
  totalMs: number;
}

async function newcomer(url: string, wav: string): Promise<Run> {
  const person = await openBrowser(wav);
  const toyBrowser = await openBrowser(wav);
  try {
    const g = person.page;
    const t = toyBrowser.page;
    // The toy is on before the parent starts (it is a toy on the table, not a step of theirs).
    await t.goto(`${url}/toy`);
    await waitForToy(t, 'the toy simulator to come online', (s) => s.online && !s.paired);

    // The peer: the landing page alone, in a fresh profile of the same browser.
    const peer = await openBrowser(wav);
    const p0 = performance.now();
    await peer.page.goto(url);
    await peer.page.getByRole('button', { name: 'Create account' }).waitFor();
    const landingMs = performance.now() - p0;
    await peer.close();

    const steps: [string, number][] = [];
    let last = performance.now();
    const start = last;
    const step = (name: string) => {
      const now = performance.now();
      steps.push([name, now - last]);
      last = now;
    };
    await g.goto(url);
    await g.getByRole('button', { name: 'Create account' }).waitFor();
    step('landing page');
    await g.getByLabel('Email').fill(uniqueEmail('newcomer'));
    await g.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await g.getByRole('meter', { name: 'Password strength' }).and(g.locator('[aria-valuenow="4"]')).waitFor();
    await g.getByRole('button', { name: 'Create account' }).click();
    await g.getByRole('heading', { name: 'Save your recovery codes' }).waitFor({ timeout: 60_000 });
    step('sign up');
    await saveRecoveryCodes(g, { measure: false });
    await g.waitForURL(`${url}/welcome`);
    step('recovery codes');
    await setUpFamily(g, url, 'Sam', 'Mum');
    step('family set up');
    await pairWithCode(g, await showPairingCode(t));
    await waitForToy(t, 'the toy to pin the roster', (s) => s.paired, 30_000);
    step('toy paired');
    await g.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Talk' }).click();
    await recordMessage(g);
    step('recorded 2 s');
    await g.getByRole('button', { name: /^Send to / }).click();
    await t.locator('svg.plush.heart-waiting').waitFor({ timeout: 60_000 });
    step('sent, heart glows');
    return { landingMs, steps, totalMs: performance.now() - start };
  } finally {
    await person.close();
    await toyBrowser.close();
  }
}

const USAGE = `Time to first message: a scripted newcomer in Chromium, landing page to the toy's heart glowing.

  npx tsx bench/first-message.ts [--runs N]

  --runs N   newcomers one after another, each in fresh browser profiles (default 3, at most 50)
  --help     this text

Prints each run's split per step, then the median with min, max and interquartile range, the peer
(the landing page alone, same run) and the load average before and after.`;

let parsed;
try {
  parsed = parseArgs({
    options: { runs: { type: 'string', default: '3' }, help: { type: 'boolean', default: false } },
  });
} catch (err) {
  // An unknown option or a stray argument: say so and how to call it, without a stack trace.
  console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = Number(parsed.values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  console.error(`--runs takes a whole number from 1 to 50, not "${parsed.values.runs}".\n\n${USAGE}`);
  process.exit(2);
}
buildWeb();
const temp = scratch('burrow-first-message-');
const wav = makeVoiceWav(temp.dir, 'Hello Sam, it is Mum.');
const server = await startTestServer({ argon2: PRODUCTION_ARGON2 });
const loadBefore = loadavg();
const results: Run[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const r = await newcomer(server.url, wav);
    results.push(r);
    console.log(
      `run ${String(i + 1)}: ${(r.totalMs / 1000).toFixed(1)} s landing → heart (` +
        r.steps.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(', ') +
        `); peer: landing page alone ${(r.landingMs / 1000).toFixed(2)} s`,
    );
  }
} finally {
  await server.close();
  temp.cleanup();
}
const sorted = results.map((r) => r.totalMs).sort((a, b) => a - b);
/** The value at fraction q of the sorted runs, linear between neighbours (q = 0.5: the median). */
const quantile = (q: number) => {
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)]!;
  return low + (sorted[Math.ceil(at)]! - low) * (at - Math.floor(at));
};
const median = quantile(0.5);
const peer = results.map((r) => r.landingMs).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
const loadAfter = loadavg();
console.log(
  `\nTime to first message, median of ${String(runs)}: ${(median / 1000).toFixed(1)} s (min ${(sorted[0]! / 1000).toFixed(1)}, max ${(sorted.at(-1)! / 1000).toFixed(1)}, ` +
    `interquartile ${(quantile(0.25) / 1000).toFixed(1)}–${(quantile(0.75) / 1000).toFixed(1)}); ` +
    `${(median / peer).toFixed(0)}× the landing page alone (${(peer / 1000).toFixed(2)} s). ` +
    `Load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(1)).join(' ')}.`,
);
