/**
 * The toy's update slots, in process, with a test release key passed explicitly (the CLI only ever
 * uses the pinned one): every refusal of docs/protocol.md §13.3, the A/B install, commit and rollback.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeUpdateBundle, generateReleaseKey, isProtocolError, signUpdate, utf8, type ProtocolErrorCode } from '@burrow/protocol';
import { TOY_TARGET, TOY_VERSION } from './release-key.js';
import { UpdateSlots } from './slots.js';

const random = (n: number) => new Uint8Array(randomBytes(n));
const release = generateReleaseKey(random);
const stranger = generateReleaseKey(random);
const trust = { releaseKey: release.publicKey };
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freshSlots(): UpdateSlots {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-toy-update-'));
  dirs.push(dir);
  return new UpdateSlots(dir, { now: () => 1234 });
}

function bundle(version: string, options: { target?: string; minVersion?: string; key?: typeof release; payload?: string } = {}): Uint8Array {
  const signed = signUpdate({ target: options.target ?? TOY_TARGET, version, minVersion: options.minVersion ?? '0.0.1', releasedAt: 1, notes: `release ${version}` }, utf8(options.payload ?? `code ${version}`), (options.key ?? release).secretKey);
  return encodeUpdateBundle(signed);
}

const refusedWith = (code: ProtocolErrorCode) => (e: unknown) => isProtocolError(e, code);

test('a fresh toy runs its factory version with nothing pending', () => {
  assert.deepEqual(freshSlots().state(), { v: 1, active: null, version: TOY_VERSION, trial: null, last: null });
});

test('the factory version is the toy package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(TOY_VERSION, pkg.version);
});

test('the toy refuses an unsigned, foreign-signed, truncated, modified, wrong-target or downgrade bundle, and installs nothing', () => {
  const slots = freshSlots();
  const good = bundle('1.0.0');
  const modified = good.slice();
  modified[modified.length - 1] = modified[modified.length - 1]! ^ 1;
  const unsigned = utf8(new TextDecoder().decode(good).replace(/"signature":"[^"]+"/, '"signature":""'));
  const cases: [Uint8Array, ProtocolErrorCode][] = [
    [utf8('just a payload, no bundle'), 'malformed'],
    [unsigned, 'malformed'],
    [bundle('1.0.0', { key: stranger }), 'bad_signature'],
    [good.subarray(0, good.length - 3), 'hash_mismatch'],
    [modified, 'hash_mismatch'],
    [bundle('1.0.0', { target: 'burrow-lamp' }), 'not_authorized'],
    [bundle('0.0.9', { minVersion: '0.0.1' }), 'bad_chain'],
    [bundle(TOY_VERSION, { minVersion: '0.0.1' }), 'bad_chain'],
    [bundle('2.0.0', { minVersion: '1.0.0' }), 'bad_chain'],
  ];
  for (const [bytes, code] of cases) assert.throws(() => slots.install(bytes, trust), refusedWith(code), code);
  assert.equal(slots.state().trial, null);
  assert.equal(existsSync(slots.slotDir('a')), false);
});

test('the toy refuses every bundle under its pinned key when no test key is given', () => {
  assert.throws(() => freshSlots().install(bundle('1.0.0')), refusedWith('bad_signature'));
});

test('an update commits only after it starts and checks in; the next goes to the other slot', async () => {
  const slots = freshSlots();
  const { slot } = slots.install(bundle('1.0.0'), trust);
  assert.equal(slot, 'a');
  assert.equal(slots.state().version, TOY_VERSION, 'the old version runs until the trial start');
  let started = '';
  const state = await slots.boot((dir, manifest) => {
    started = `${readFileSync(join(dir, 'payload'), 'utf8')} / ${manifest.version}`;
    return Promise.resolve(true);
  });
  assert.equal(started, 'code 1.0.0 / 1.0.0');
  assert.deepEqual(state, { v: 1, active: 'a', version: '1.0.0', trial: null, last: { kind: 'committed', version: '1.0.0', at: 1234 } });
  assert.equal(slots.install(bundle('1.1.0'), trust).slot, 'b');
  assert.throws(() => slots.install(bundle('1.0.0'), trust), refusedWith('bad_chain'), 'a downgrade below the running version');
});

test('a failed start rolls back to the old slot, which stays intact', async () => {
  const slots = freshSlots();
  slots.install(bundle('1.0.0'), trust);
  await slots.boot(() => Promise.resolve(true));
  slots.install(bundle('1.1.0'), trust);
  const state = await slots.boot(() => Promise.reject(new Error('segfault')));
  assert.equal(state.active, 'a');
  assert.equal(state.version, '1.0.0');
  assert.equal(state.trial, null);
  assert.equal(state.last?.kind, 'rolled_back');
  assert.match(state.last?.reason ?? '', /segfault/);
  assert.equal(readFileSync(join(slots.slotDir('a'), 'payload'), 'utf8'), 'code 1.0.0');
});

test('a trial start that never finished (power cut) is rolled back on the next boot without running it again', async () => {
  const slots = freshSlots();
  slots.install(bundle('1.0.0'), trust);
  const started: string[] = [];
  // The first trial start "hangs": the device loses power before start resolves.
  void slots.boot(() => new Promise<boolean>(() => started.push('first')));
  const state = await new UpdateSlots(join(slots.slotDir('a'), '..', '..', '..')).boot(() => {
    started.push('second');
    return Promise.resolve(true);
  });
  assert.deepEqual(started, ['first']);
  assert.equal(state.version, TOY_VERSION);
  assert.equal(state.last?.kind, 'rolled_back');
});
