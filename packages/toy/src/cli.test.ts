/**
 * burrow-toy's command line: --help/-h print the usage (exit 0); an unknown option or a stray
 * argument prints the usage on stderr and exits 2 — in process, and once as a real process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mock, test } from 'node:test';
import { HELP, parseToyArgs } from './cli.js';
import { rotationFromOptions } from './rotation-options.js';

/** parseToyArgs with console and process.exitCode captured and restored. */
function parse(argv: string[]) {
  const out = mock.method(console, 'log', () => undefined);
  const err = mock.method(console, 'error', () => undefined);
  const saved = process.exitCode;
  try {
    const values = parseToyArgs(argv);
    return {
      values,
      code: process.exitCode,
      out: out.mock.calls.map((c) => String(c.arguments[0])).join('\n'),
      err: err.mock.calls.map((c) => String(c.arguments[0])).join('\n'),
    };
  } finally {
    process.exitCode = saved;
    out.mock.restore();
    err.mock.restore();
  }
}

test('--help and -h print the usage on stdout and leave the exit code alone', () => {
  for (const flag of ['--help', '-h']) {
    const r = parse(['--server', 'http://x', flag]);
    assert.equal(r.values, null);
    assert.equal(r.code, process.exitCode);
    assert.equal(r.out, HELP);
    assert.equal(r.err, '');
  }
});

test('an unknown option or a stray argument prints the usage on stderr with exit code 2', () => {
  for (const [argv, message] of [
    [['--bogus'], /^burrow-toy: Unknown option '--bogus'/],
    [['--data', 'd', 'extra'], /Unexpected argument 'extra'/],
    [['--server'], /--server <value>' argument missing/],
  ] as const) {
    const r = parse([...argv]);
    assert.equal(r.values, null, argv.join(' '));
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '');
    assert.match(r.err, message);
    assert.ok(r.err.endsWith(HELP), 'the usage follows the problem');
  }
});

test('good options parse, with the defaults filled in', () => {
  const r = parse(['--play-dir', 'played']);
  assert.equal(r.code, process.exitCode);
  assert.equal(r.values?.server, 'http://localhost:8080');
  assert.equal(r.values?.data, './toy-data');
  assert.equal(r.values?.['play-dir'], 'played');
});

test('the real bin exits 2 on an unknown option, before starting a toy', async () => {
  const bin = new URL('../bin/burrow-toy.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, err);
  assert.equal(out, '');
  assert.match(err, /Unknown option '--bogus'[\s\S]*Usage: burrow-toy/);
});

test('the key rotation schedule comes from the flags, else the environment, else weekly with 2 days of grace', () => {
  const DAY = 86_400_000;
  assert.deepEqual(rotationFromOptions({}, {}), { policy: { intervalMs: 7 * DAY, graceMs: 2 * DAY } });
  assert.deepEqual(rotationFromOptions({}, { BURROW_TOY_KEY_ROTATION_DAYS: '1', BURROW_TOY_KEY_GRACE_DAYS: '0.5' }), { policy: { intervalMs: DAY, graceMs: DAY / 2 } });
  assert.deepEqual(rotationFromOptions({ 'key-rotation-days': '3' }, { BURROW_TOY_KEY_ROTATION_DAYS: '1' }), { policy: { intervalMs: 3 * DAY, graceMs: 2 * DAY } });
  for (const bad of ['0', '-1', 'weekly', '1e3', '400', '0.0001'])
    assert.match((rotationFromOptions({ 'key-rotation-days': bad }, {}) as { error: string }).error, /--key-rotation-days must be/, bad);
  assert.match((rotationFromOptions({}, { BURROW_TOY_KEY_GRACE_DAYS: 'x' }) as { error: string }).error, /--key-grace-days/);
  assert.equal(parse(['--key-rotation-days', '1', '--key-grace-days', '0.25']).values?.['key-rotation-days'], '1');
});

test('the real bin exits 2 on a bad rotation schedule, before starting a toy', async () => {
  const bin = new URL('../bin/burrow-toy.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, '--key-rotation-days', 'never'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, err);
  assert.match(err, /--key-rotation-days must be[\s\S]*Usage: burrow-toy/);
});
