/**
 * What the browser tests share: Debian's Chromium through playwright-core (never a downloaded
 * browser), a fake microphone fed from a WAV made with espeak-ng, the web app built once, a real
 * server, screenshots under test-output/screenshots/, and an axe-core check of each page.
 *
 * Chromium missing is a failure, not a skip: CI installs it (.ci/run), and a browser suite that
 * silently skips proves nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer } from '@burrow/server/testing';
import { fileRecorder, HeadlessToy, type HeadlessToyOptions, type Player } from '@burrow/toy';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const screenshotDir = join(root, 'test-output', 'screenshots');
// Cheap for the strength check: see PASSWORD in packages/server/src/testing/fixtures.ts.
export const PASSWORD = 'quiet maple lantern drifts by the old river';

export const PHONE = { width: 360, height: 780 };
/** The phone width the language screenshots use (a common modern phone, 390 × 844). */
export const PHONE_390 = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };

/**
 * Which Chromium a session needs. `shell` is Debian's headless shell: the same Blink and V8 as the
 * browser without its windowing layers; it launches for ~1.1 CPU-s against ~2.5 for `chromium
 * --headless` (5 launches with a page each, measured 2 December), and the suite opens some 35
 * profiles. But it denies system notifications for good (Notification.permission is "denied" and
 * granting does not change it), so the sessions that test them ask for the `full` browser.
 */
export type ChromiumKind = 'shell' | 'full';

/** BURROW_CHROMIUM, when set, is the only binary tried, for both kinds. */
const CANDIDATES: Record<ChromiumKind, string[]> = process.env.BURROW_CHROMIUM
  ? { shell: [process.env.BURROW_CHROMIUM], full: [process.env.BURROW_CHROMIUM] }
  : { shell: ['/usr/bin/chromium-headless-shell'], full: ['/usr/bin/chromium', '/usr/bin/chromium-browser'] };

/** The Chromium binary of that kind, or an error that says how to install it. */
export function chromiumPath(kind: ChromiumKind = 'shell'): string {
  const found = CANDIDATES[kind].find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `Chromium not found (looked at ${CANDIDATES[kind].join(', ')}). Install it: apt-get install -y chromium chromium-headless-shell`,
    );
  return found;
}

/** Builds packages/web/dist if it is missing or stale (scripts/build-if-needed.mjs). */
export function buildWeb(): void {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-if-needed.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('Building the web app failed.');
}

/** A scratch folder removed by `cleanup()`. */
export function scratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A WAV of a voice for the fake microphone: espeak-ng speaking a line, padded with sox to a loop of a
 * few seconds. Falls back to the toy's bundled sample when espeak-ng is not installed.
 */
export function makeVoiceWav(dir: string, text: string): string {
  const spoken = join(dir, 'spoken.wav');
  const out = join(dir, 'voice.wav');
  const say = spawnSync('espeak-ng', ['-s', '150', '-w', spoken, text]);
  if (say.status === 0) {
    const pad = spawnSync('sox', [spoken, '-r', '48000', '-c', '1', '-b', '16', out, 'pad', '0', '0.5']);
    if (pad.status === 0) return out;
    return spoken;
  }
  return join(root, 'packages/toy/assets/hello-from-grandma.wav');
}

/**
 * Test taps installed before any page script runs: every MediaRecorder's output and every Blob given
 * to URL.createObjectURL (what an <audio> element plays) are kept on `window.__burrowTap`, so a test
 * can hash what was recorded in one browser and what was played in another.
 */
const TAP = `(() => {
  const tap = { recorded: [], urls: [] };
  Object.defineProperty(window, '__burrowTap', { value: tap });
  const Recorder = window.MediaRecorder;
  if (Recorder) {
    window.MediaRecorder = class extends Recorder {
      constructor(...args) {
        super(...args);
        const chunks = [];
        this.addEventListener('dataavailable', (e) => chunks.push(e.data));
        this.addEventListener('stop', () => tap.recorded.push(new Blob(chunks, { type: this.mimeType })));
      }
    };
  }
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj) => {
    const url = create(obj);
    if (obj instanceof Blob) tap.urls.push({ url, blob: obj });
    return url;
  };
  window.__burrowHash = async (blob) => {
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  };
  // MediaRecorder WebM reports duration Infinity until the end is sought (STACK.md).
  // From the tapped Blob through a URL of its own: the page revokes its URL once playback ends, and
  // on a loaded machine that can come before the test asks (the favourites test failed so in CI).
  window.__burrowDuration = (blob) => new Promise((resolve, reject) => {
    const url = create(blob);
    const a = new Audio();
    a.preload = 'auto';
    const done = (settle, value) => { URL.revokeObjectURL(url); settle(value); };
    a.onerror = () => done(reject, new Error('audio error ' + (a.error && a.error.code)));
    a.onloadedmetadata = () => {
      if (Number.isFinite(a.duration) && a.duration > 0) return done(resolve, a.duration);
      a.ontimeupdate = () => { a.ontimeupdate = null; done(resolve, a.duration); };
      a.currentTime = 1e101;
    };
    a.src = url;
  });
})();`;

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh Chromium profile (its own cookies and IndexedDB) with a fake microphone playing `wav`.
 * `extraArgs` adds Chromium flags for this profile only, e.g. a fake camera
 * (`--use-file-for-fake-video-capture=<file.y4m>`).
 */
export async function openBrowser(
  wav: string,
  viewport = PHONE,
  extraArgs: string[] = [],
  /** The browser's language (navigator.languages, Accept-Language), e.g. 'de-DE'. */
  locale?: string,
): Promise<BrowserSession> {
  return launch('shell', wav, viewport, extraArgs, locale);
}

/** openBrowser in the full browser: for a session that tests system notifications (see ChromiumKind). */
export async function openNotifyingBrowser(wav: string): Promise<BrowserSession> {
  return launch('full', wav, PHONE, []);
}

async function launch(kind: ChromiumKind, wav: string, viewport: typeof PHONE, extraArgs: string[], locale?: string): Promise<BrowserSession> {
  const profile = scratch('burrow-chromium-');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: chromiumPath(kind),
    viewport,
    ...(locale ? { locale } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
  await context.addInitScript(TAP);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A signed-out visit asks GET /v1/me first and gets 401: expected, and Chromium logs it.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      profile.cleanup();
    },
  };
}

/** A real server that also serves the built web app; fails clearly if the web plugin is not wired. */
export async function startWebServer() {
  const server = await startTestServer();
  const res = await fetch(`${server.url}/toy`);
  const body = await res.text();
  if (!res.ok || !body.includes('id="root"')) {
    await server.close();
    throw new Error(
      'The server does not serve the web app at /toy: register packages/server/src/web/serve-web.ts in app.ts.',
    );
  }
  return server;
}

/**
 * The fixture a browser suite needs: Chromium present, the web app built, a real server, a WAV of
 * `phrase` for the fake microphone, and every browser session closed afterwards. Registers the
 * suite's before/after hooks; the returned object is filled in by `before`.
 */
export function browserSuite(prefix: string, phrase: string) {
  const suite = {
    temp: scratch(prefix),
    server: undefined as unknown as Awaited<ReturnType<typeof startWebServer>>,
    voiceWav: '',
    sessions: [] as BrowserSession[],
  };
  before(async () => {
    chromiumPath();
    buildWeb();
    suite.server = await startWebServer();
    suite.voiceWav = makeVoiceWav(suite.temp.dir, phrase);
  });
  after(async () => {
    for (const s of suite.sessions) await s.close();
    await (suite.server as typeof suite.server | undefined)?.close();
    suite.temp.cleanup();
  });
  return suite;
}

/**
 * A headless toy for a browser suite: the suite's server, a folder of its own in the suite's scratch
 * directory, answers recorded from the suite's voice as WAV, and a player that keeps each message in
 * memory after telling `onPlay`. Any option given replaces its default (another voice: `recorder`).
 */
export function startHeadlessToy(
  suite: { server: { url: string }; temp: { dir: string }; voiceWav: string },
  options: Partial<HeadlessToyOptions> & { name?: string; onPlay?: (...args: Parameters<Player>) => void } = {},
): Promise<HeadlessToy> {
  const { name = 'headless-toy', onPlay, ...rest } = options;
  return HeadlessToy.start({
    server: suite.server.url,
    dataDir: join(suite.temp.dir, name),
    player: (audio, info) => {
      onPlay?.(audio, info);
      return Promise.resolve('memory');
    },
    recorder: fileRecorder(suite.voiceWav),
    recordMimeType: 'audio/wav',
    // What the toy reports (a failed sync above all) goes to the test's output: a wait for the toy
    // that times out in CI then says why.
    log: (line) => console.log(`headless toy ${name}: ${line}`),
    ...rest,
  });
}

/** Saves a full-page screenshot at phone and desktop widths; prints and returns the paths. */
export async function screenshots(page: Page, name: string, phone = PHONE): Promise<string[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const original = page.viewportSize() ?? PHONE;
  const paths: string[] = [];
  for (const [label, size] of [
    [String(phone.width), phone],
    ['desktop', DESKTOP],
  ] as const) {
    // The viewport is grown to the page's height rather than using fullPage, so sticky and fixed bars
    // sit where a person scrolling to the end would see them.
    await page.setViewportSize(size);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.ceil(height)) });
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const path = join(screenshotDir, `${name}-${label}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    paths.push(path);
    console.log(`screenshot: ${path}`);
  }
  await page.setViewportSize(original);
  return paths;
}

/** The page is no wider than the viewport at 360 px (nothing forces sideways scrolling). */
export async function assertNoHorizontalOverflow(page: Page): Promise<void> {
  const original = page.viewportSize() ?? PHONE;
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  await page.setViewportSize(original);
  if (typeof overflow !== 'number' || overflow > 0)
    throw new Error(`${page.url()} is ${String(overflow)} px wider than a 360 px screen`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and fails on any serious or
 * critical violation. axe is evaluated through the DevTools protocol, so the page's CSP stays on.
 */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  // axe-core is ~650 KB of script: evaluated once per document, not at every check (the app moves
  // between pages by history navigation, so one document serves many checks).
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  );
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.filter((v) => !bad.includes(v));
  if (minor.length > 0)
    console.log(`axe (${label}): minor: ${minor.map((v) => `${v.id} (${v.impact ?? '?'})`).join(', ')}`);
  if (bad.length > 0) {
    throw new Error(
      `axe found serious or critical violations on ${label}:\n${bad.map((v) => `- ${v.id} [${v.impact ?? '?'}] ${v.help}: ${JSON.stringify(v.nodes.map((n) => n.target))}`).join('\n')}`,
    );
  }
}

/** SHA-256 (hex) of the last Blob the page recorded with MediaRecorder. */
export async function lastRecordedHash(page: Page): Promise<string> {
  return await page.evaluate<string>(
    '(async () => { const r = window.__burrowTap.recorded; if (!r.length) throw new Error("nothing recorded"); return window.__burrowHash(r[r.length - 1]); })()',
  );
}

/** Hash and playable duration of the Blob behind an object URL the page made (e.g. an <audio> src). */
export async function blobAt(
  page: Page,
  url: string,
): Promise<{ hash: string; size: number; duration: number }> {
  return await page.evaluate<{ hash: string; size: number; duration: number }>(
    `(async (url) => { const hit = window.__burrowTap.urls.find((u) => u.url === url); if (!hit) throw new Error('no blob for ' + url); return { hash: await window.__burrowHash(hit.blob), size: hit.blob.size, duration: await window.__burrowDuration(hit.blob) }; })(${JSON.stringify(url)})`,
  );
}

/**
 * Holds the mouse down on an element (a paw, a record button, the pairing button) until `done` says
 * the page has reacted, then releases. Never a fixed time: on a loaded machine a microphone or a
 * page timer can start a second late, and a fixed hold then releases too early.
 */
export async function holdUntil(
  page: Page,
  selector: string,
  what: string,
  done: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  // hover() waits until the element is visible, stable and the one the pointer would hit, then moves
  // there: a box read once could be stale by the press when a banner or status line shifted the
  // layout in between (slower on a loaded machine), and the press then missed the button.
  await page.locator(selector).hover();
  await page.mouse.down();
  try {
    await waitFor(what, done, timeoutMs);
  } finally {
    await page.mouse.up();
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Everything the browser keeps for this site in IndexedDB, every database and store, as text: byte
 * arrays written as base64url, so a secret stored as bytes or as a string is found either way.
 */
export async function everythingStored(page: Page): Promise<string> {
  return await page.evaluate<string>(`(async () => {
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const text = (v) => JSON.stringify(v, (_k, x) => x instanceof ArrayBuffer ? b64(new Uint8Array(x)) : ArrayBuffer.isView(x) ? b64(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) : x instanceof Blob ? '[blob]' : x);
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => { const o = indexedDB.open(name); o.onsuccess = () => resolve(o.result); o.onerror = () => reject(o.error); });
      for (const store of db.objectStoreNames) {
        const [keys, values] = await new Promise((resolve, reject) => {
          const s = db.transaction(store).objectStore(store);
          const k = s.getAllKeys(); const v = s.getAll();
          v.onsuccess = () => resolve([k.result, v.result]); v.onerror = () => reject(v.error);
        });
        out.push(name + '/' + store + ' ' + text(keys) + ' ' + text(values));
      }
      db.close();
    }
    return out.join('\\n');
  })()`);
}
