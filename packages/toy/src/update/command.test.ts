/**
 * `burrow-toy update` as a real process (two spawns, to keep the suite cheap): it refuses each kind
 * of bad bundle under the pinned release key with exit 1, and a failed trial start rolls back.
 * The refusals of correctly signed bundles are proven in process (slots.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeUpdateBundle, generateReleaseKey, signUpdate, utf8 } from '@burrow/protocol';
import { TOY_TARGET, TOY_VERSION } from './release-key.js';
import { UpdateSlots, type UpdateState } from './slots.js';

const dir = mkdtempSync(join(tmpdir(), 'burrow-toy-update-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const testKey = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
const bin = new URL('../../bin/burrow-toy.mjs', import.meta.url).pathname;

function burrowToy(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, 'update', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

function bundle(version: string, extra: { target?: string; minVersion?: string } = {}): Uint8Array {
  return encodeUpdateBundle(signUpdate({ target: extra.target ?? TOY_TARGET, version, minVersion: extra.minVersion ?? '0.0.1', releasedAt: 1, notes: '' }, utf8(`code ${version}`), testKey.secretKey));
}

test('the real CLI refuses unsigned, truncated, modified, wrong-target, downgrade and foreign-key bundles (exit 1)', async () => {
  const good = bundle('9.0.0');
  const modified = good.slice();
  modified[modified.length - 1] = modified[modified.length - 1]! ^ 1;
  const files: Record<string, Uint8Array> = {
    unsigned: utf8(new TextDecoder().decode(good).replace(/"signature":"[^"]+"/, '"signature":""')),
    truncated: good.subarray(0, good.length - 4),
    modified,
    'wrong-target': bundle('9.0.0', { target: 'burrow-lamp' }),
    downgrade: bundle('0.0.5'),
    'foreign-key': good,
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const data = join(dir, 'verify-data');
  const r = await burrowToy(['verify', '--data', data, ...Object.keys(files).map((f) => join(dir, f))]);
  assert.equal(r.code, 1, r.err);
  const line = (name: string) => r.out.split('\n').find((l) => l.startsWith(join(dir, name) + ':')) ?? '';
  assert.match(line('unsigned'), /refused \(malformed\)/);
  assert.match(line('truncated'), /refused \(hash_mismatch\)/);
  assert.match(line('modified'), /refused \(hash_mismatch\)/);
  assert.match(line('wrong-target'), /refused \(not_authorized\)/);
  assert.match(line('downgrade'), /refused \(bad_chain\)/);
  assert.match(line('foreign-key'), /refused \(bad_signature\)/, 'only the pinned key is trusted');
  assert.equal(new UpdateSlots(data).state().trial, null, 'nothing installed');
});

test('the real CLI rolls back to the old version when the new one fails to start (exit 1)', async () => {
  const data = join(dir, 'boot-data');
  const slots = new UpdateSlots(data);
  slots.install(bundle('9.0.0'), { releaseKey: testKey.publicKey });
  const marker = join(dir, 'started');
  const r = await burrowToy(['boot', '--data', data, '--server', 'http://127.0.0.1:9', '--start-command', `echo "$BURROW_TOY_VERSION" > '${marker}'; exit 3`]);
  assert.equal(r.code, 1, r.err);
  assert.equal(readFileSync(marker, 'utf8').trim(), '9.0.0', 'the new version was started once');
  const state: UpdateState = slots.state();
  assert.equal(state.version, TOY_VERSION);
  assert.equal(state.active, null);
  assert.equal(state.trial, null);
  assert.equal(state.last?.kind, 'rolled_back');
  assert.match(r.out, new RegExp(`running ${TOY_VERSION.replace(/\./g, '\\.')} \\(factory image\\)[\\s\\S]*rolled back from 9\\.0\\.0`));
});
