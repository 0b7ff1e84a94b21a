/**
 * The running headless toy checks for updates on its own (docs/updates.md "On the toy"), as a device
 * runs it: the real `burrow-toy` process against a real server whose mirror serves a bundle the
 * server side could make — well formed, but signed by a key other than the one pinned in the toy.
 * At start the toy checks, refuses it, installs nothing and checks in the version it runs, which its
 * guardian then sees; `burrow-toy update check` run by hand refuses the same bundle (exit 1).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeUpdateBundle, generateReleaseKey, signUpdate, utf8 } from '@burrow/protocol';
import { systemClock } from '@burrow/server';
import { createUpdates } from '../packages/server/src/updates/service.js';
import { TOY_TARGET, TOY_VERSION } from '../packages/toy/src/update/release-key.js';
import { UpdateSlots } from '../packages/toy/src/update/slots.js';
import { eventually, startWorld, type World } from './world.js';

const bin = new URL('../packages/toy/bin/burrow-toy.mjs', import.meta.url).pathname;

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

function startToy(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; key: (k: string) => void } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, key: (k) => child.stdin.write(`${k}\n`) };
}

function runUpdateCommand(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [bin, 'update', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

test('the running toy checks for an update at start, refuses one the pinned key did not sign, and checks in its version for its guardian', { timeout: 300_000 }, async () => {
  // What a compromised server (or anyone but the maker) can put on the mirror: a well-formed bundle
  // for this target, newer than the toy, signed by a key of its own.
  const foreign = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
  const bundle = signUpdate({ target: TOY_TARGET, version: '9.1.0', minVersion: TOY_VERSION, releasedAt: 1, notes: 'not from the maker' }, utf8('forged code'), foreign.secretKey);
  await createUpdates({ db: world.server.db, clock: systemClock }).upload(encodeUpdateBundle(bundle));

  const scratch = mkdtempSync(join(tmpdir(), 'burrow-update-check-'));
  world.onClose(() => rmSync(scratch, { recursive: true, force: true }));
  const dataDir = join(scratch, 'toy-data');
  const toy = startToy(['--server', world.url, '--data', dataDir, '--play-dir', join(scratch, 'played'), '--update-check-hours', '24']);
  world.onClose(() => void toy.child.kill());

  // The check at start, with nobody asking: the mirror's bundle is refused under the pinned key.
  await eventually(() => Promise.resolve(/update check: refused the server's bundle 9\.1\.0 \(bad_signature\)/.test(toy.output())), 60_000);
  const slots = new UpdateSlots(dataDir);
  assert.equal(slots.state().trial, null, 'nothing installed');
  assert.equal(slots.state().version, TOY_VERSION);

  // Paired afterwards, the toy's check-in is its guardian's to see (the Toys page's "Software" line).
  toy.key('b');
  const code = await eventually(() => Promise.resolve(/Pairing code: ([0-9A-Z-]{21})/.exec(toy.output())?.[1]), 30_000);
  const mum = await world.guardian();
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toyId = await mum.claimToy(familyId, childId, code);
  const { status } = await mum.api.request<{ status: { version: string; state: string; available: string | null } | null }>('GET', `/v1/families/${familyId}/toys/${toyId}/update-status`);
  assert.equal(status?.version, TOY_VERSION, 'the toy checked in the version it runs');
  assert.equal(status?.state, 'current');
  toy.key('q');
  await new Promise((r) => toy.child.once('exit', r));

  // The same check by hand, the real command as a process: refused, exit 1, still nothing installed.
  const byHand = await runUpdateCommand(['check', '--server', world.url, '--data', dataDir]);
  assert.equal(byHand.code, 1, byHand.out);
  assert.match(byHand.out, /refused the server's bundle 9\.1\.0 \(bad_signature\)/);
  assert.equal(slots.state().trial, null);
});

test('a bad --update-check-hours stops the toy before it starts (exit 2)', async () => {
  const r = startToy(['--update-check-hours', 'hourly']);
  const code = await new Promise<number | null>((resolve) => r.child.on('exit', resolve));
  assert.equal(code, 2, r.output());
  assert.match(r.output(), /--update-check-hours must be[\s\S]*Usage: burrow-toy/);
});
