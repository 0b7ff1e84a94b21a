/**
 * The headless toy's CLI as a device would run it: a separate process, keys in its data folder,
 * driven by its keys ([b] pairing button, [p] play, [r] record) on stdin.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { audioSample, eventually, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

function startCli(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; key: (k: string) => void } {
  const bin = new URL('../packages/toy/bin/burrow-toy.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, key: (k) => child.stdin.write(`${k}\n`) };
}

test('burrow-toy pairs with a code, plays a message to a file and sends a recorded answer', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'burrow-cli-'));
  world.onClose(() => rmSync(scratch, { recursive: true, force: true }));
  const answer = audioSample(20_000);
  writeFileSync(join(scratch, 'answer.ogg'), answer);
  const dataDir = join(scratch, 'toy-data');
  const cli = startCli(['--server', world.url, '--data', dataDir, '--record-file', join(scratch, 'answer.ogg'), '--play-dir', join(scratch, 'played')]);
  world.onClose(() => void cli.child.kill());

  await eventually(() => Promise.resolve(cli.output().includes('not paired')), 20_000);
  // The toy made its own keys at first boot; nobody else can read them.
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  for (const f of readdirSync(dataDir)) assert.equal(statSync(join(dataDir, f)).mode & 0o077, 0, `${f} is owner-only`);

  cli.key('b');
  const code = await eventually(() => Promise.resolve(/Pairing code: ([0-9A-Z-]{21})/.exec(cli.output())?.[1]), 10_000);
  const mum = await world.guardian();
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toyId = await mum.claimToy(familyId, childId, code);
  await eventually(() => Promise.resolve(cli.output().includes('paired with a family')), 10_000);

  const audio = audioSample(50_000);
  await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum', mimeType: 'audio/ogg' });
  await eventually(() => Promise.resolve(cli.output().includes('new message waiting')), 10_000);
  cli.key('p');
  await eventually(() => Promise.resolve(cli.output().includes('▶ played')), 10_000);
  const played = readdirSync(join(scratch, 'played'));
  assert.equal(played.length, 1);
  assert.deepEqual(new Uint8Array(readFileSync(join(scratch, 'played', played[0]!))), audio);

  cli.key('r');
  await eventually(() => Promise.resolve(cli.output().includes('● recorded and sent')), 10_000);
  const got = await eventually(async () => (await mum.sync()).find((m) => m.from === toyId));
  assert.deepEqual(got.audio, answer);
  cli.key('q');
  await new Promise((r) => cli.child.once('exit', r));
});
