/**
 * The CLI's conventions: every command and subcommand answers --help/-h with its usage and exit 0;
 * a wrong command line prints the usage on stderr and exits 2. Most cases call main() in process
 * (a spawn through tsx costs seconds); two run the real bin as a process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { main } from './cli.js';

/** Runs main() with its output captured; no command here gets as far as configuration. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = process.exitCode;
  try {
    const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  } finally {
    process.exitCode = saved;
  }
}

const COMMANDS = [
  [],
  ['serve'],
  ['migrate'],
  ['doctor'],
  ['backup'],
  ['backup', 'keygen'],
  ['backup', 'verify'],
  ['backup', 'schedule'],
  ['restore'],
  ['incident'],
  ['incident', 'open'],
  ['incident', 'notify'],
  ['incident', 'status'],
  ['incident', 'report'],
];

test('every command and subcommand answers --help and -h with its own usage on stdout and exit 0', async () => {
  for (const command of COMMANDS)
    for (const flag of ['--help', '-h']) {
      const { code, out, err } = await run([...command, flag]);
      const what = [...command, flag].join(' ');
      assert.equal(code, 0, what);
      assert.equal(err, '', what);
      assert.match(out, new RegExp(`^Usage: burrow ${command.length > 0 ? command.join(' ') : '<command>'}`), what);
    }
  assert.match((await run(['help'])).out, /^Usage: burrow <command>/);
  assert.match((await run([])).out, /^Usage: burrow <command>/);
  // --help wins even after a mistake on the same line.
  assert.equal((await run(['backup', 'verify', '--bogus', '--help'])).code, 0);
});

test('an unknown option anywhere prints the problem and that command’s usage on stderr and exits 2', async () => {
  for (const command of COMMANDS) {
    const { code, out, err } = await run([...command, '--bogus']);
    const what = [...command, '--bogus'].join(' ');
    assert.equal(code, 2, what);
    assert.equal(out, '', what);
    assert.match(err, /^burrow: Unknown option '--bogus'\.\n\nUsage: burrow /, what);
    assert.ok(!err.includes('To specify a positional'), 'parseArgs’ advice about -- is left out');
  }
});

test('an unknown command or subcommand, a missing argument or a stray one exits 2 with the usage', async () => {
  const cases: [string[], RegExp][] = [
    [['frob'], /Unknown command 'frob'[\s\S]*Usage: burrow <command>/],
    [['incident', 'frob'], /Unknown incident subcommand 'frob'[\s\S]*Usage: burrow incident/],
    [['backup', 'verify'], /An argument is missing[\s\S]*Usage: burrow backup verify DIR/],
    [['backup', 'keygen'], /--identity FILE is required[\s\S]*Usage: burrow backup keygen/],
    [['backup', 'frob'], /Unexpected argument: frob[\s\S]*Usage: burrow backup/],
    [['restore', 'dir'], /--identity FILE is required[\s\S]*Usage: burrow restore/],
    [['incident', 'status'], /An argument is missing[\s\S]*Usage: burrow incident status ID/],
    [['incident', 'notify', 'a', 'b'], /Unexpected argument: b/],
    [['migrate', 'now'], /Unexpected argument: now[\s\S]*Usage: burrow migrate/],
    [['serve', '--backup-every'], /argument missing|requires|--backup-every/],
  ];
  for (const [argv, message] of cases) {
    const { code, out, err } = await run(argv);
    assert.equal(code, 2, argv.join(' '));
    assert.equal(out, '', argv.join(' '));
    assert.match(err, message, argv.join(' '));
  }
});

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the real `burrow` bin as a process, in an empty folder. */
function spawnBurrow(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'burrow-cli-'));
  dirs.push(cwd);
  const bin = fileURLToPath(new URL('../bin/burrow.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

test('the real bin: `burrow backup --help` exits 0 with the usage, `burrow backup --bogus` exits 2 on stderr', async () => {
  const [help, bogus] = await Promise.all([spawnBurrow(['backup', '--help']), spawnBurrow(['backup', '--bogus'])]);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /^Usage: burrow backup/);
  assert.equal(help.err, '');
  assert.equal(bogus.code, 2, bogus.err);
  assert.equal(bogus.out, '');
  assert.match(bogus.err, /Unknown option '--bogus'[\s\S]*Usage: burrow backup/);
});
