/**
 * Burrow at CloudPets' size (issue #12), on SQLite: one real family is made through the API and its
 * request paths are timed on the near-empty installation; the seeder (seed.ts) then clones it to
 * 821,396 accounts, 2,182,337 recordings (1 KiB blobs in the fs store) and 371,970 relatives, and
 * the same requests are timed again, on the same server. Then: a tripwire event's owner lookup,
 * `burrow serve` start-up (seeded vs empty), and `burrow backup`, `backup verify` and `restore` as
 * the CLI runs them (time, peak RSS from /usr/bin/time, size). Reported, not asserted. Everything it
 * made is deleted at the end (≈ 30 GB on the way at the full size, estimated).
 *
 *   npx tsx bench/cloudpets/run.ts [--scale 1] [--samples 200] [--skip-backup] [--skip-restore]
 *
 * `--scale 0.01` seeds a hundredth (a minute) to try it out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import Database from 'libsql';
import { startTestServer } from '@burrow/server';
import { entry, expectStatus, family, pairToy, PASSWORD, person, publish, sealedVoice } from '../../packages/server/src/testing/fixtures.js';
import { httpClient, type Call } from '../../packages/server/src/testing/http.js';
import { freePort } from '../../packages/server/src/testing/processes.js';
import { accountByPasswordHashQuery, accountIdByPasswordHash } from '../../packages/server/src/tripwires/owner.js';
import { CLOUDPETS, countsFor, seed } from './seed.js';
import { statementsOf, watchStatements, type Ran } from './statements.js';

const { values } = parseArgs({
  options: { 'ab-pragmas': { type: 'string' }, rounds: { type: 'string' }, scale: { type: 'string' }, samples: { type: 'string' }, 'skip-backup': { type: 'boolean' }, 'skip-restore': { type: 'boolean' }, plans: { type: 'boolean' } },
});
// Before the server opens its database: every statement a timed request runs can be named.
if (values.plans) watchStatements();
const SCALE = Number(values.scale ?? 1);
const SAMPLES = Number(values.samples ?? 200);
const root = fileURLToPath(new URL('../..', import.meta.url));
const MESSAGES = 5;

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

function duBytes(path: string): number {
  let total = 0;
  const walk = (p: string): void => {
    const st = statSync(p);
    if (!st.isDirectory()) {
      total += st.size;
      return;
    }
    for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(path);
  return total;
}

/**
 * Runs `burrow <args>` (under /usr/bin/time -v unless it is stopped at `until`); returns its output,
 * wall time and peak RSS (a stopped server's from /proc: VmHWM just before it is stopped).
 */
async function burrow(args: string[], env: Record<string, string>, until?: string): Promise<{ out: string; ms: number; rssKib: number }> {
  const started = performance.now();
  const command = until ? [process.execPath] : ['/usr/bin/time', '-v', process.execPath];
  const child = spawn(command[0] ?? '', [...command.slice(1), 'packages/server/bin/burrow.mjs', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BURROW_LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  let ms = 0;
  let hwmKib = NaN;
  const done = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (until && ms === 0 && out.includes(until)) {
      ms = performance.now() - started;
      hwmKib = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${String(child.pid)}/status`, 'utf8'))?.[1] ?? NaN);
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await done;
  if (ms === 0) ms = performance.now() - started;
  if (!until && code !== 0) throw new Error(`burrow ${args.join(' ')} failed (${String(code)}):\n${out.slice(-3000)}`);
  const rssKib = until ? hwmKib : Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(out)?.[1] ?? NaN);
  return { out, ms, rssKib };
}

const server = await startTestServer({ postgresUrl: null });
const scratch = mkdtempSync(join(tmpdir(), 'burrow-cloudpets-'));
try {
  const call = httpClient(server.url);
  // The template family: a guardian, her child and paired toy, a relative admitted to the roster,
  // and five voice messages to the toy and the relative (CloudPets' ~4.9 recordings a family).
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const relative = await person(call, 'relative');
  await publish(call, fam, [...fam.roster.devices, entry(relative.keys, 'member')]);
  const messageIds: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys, relative.keys], randomBytes(900));
    expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'uploadBlob');
    expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } }), 201, 'sendMessage');
    messageIds.push(voice.envelope.id);
  }

  // Sends are timed on two families of their own (one per phase), made now and not cloned: sending
  // into the template would grow the history the other requests read, and every clone with it.
  const sendFamily = async () => {
    const f = await family(call);
    const t = await pairToy(call, f);
    return { fam: f, toy: t };
  };
  const senders = { empty: await sendFamily(), seeded: await sendFamily() };
  /** Voices sealed before the timing (sealing is the sender's work, not the server's). */
  const sealFor = async (s: { fam: typeof fam; toy: typeof toy }) => {
    const voices = [];
    for (let i = 0; i < SAMPLES + 10; i++) voices.push(await sealedVoice(s.fam.guardian.keys, s.fam.roster, [s.toy.keys], randomBytes(900)));
    return voices;
  };

  const requests: [string, (c: Call) => Promise<unknown>][] = [
    ['toy inbox (GET /v1/inbox)', (c) => c('GET', '/v1/inbox?limit=5', toy.as)],
    ['toy sync (GET /v1/toys/me/sync)', (c) => c('GET', '/v1/toys/me/sync', toy.as)],
    ['relative inbox (GET /v1/inbox)', (c) => c('GET', '/v1/inbox', relative.as)],
    ['sent list (GET /v1/sent)', (c) => c('GET', '/v1/sent', fam.guardian.as)],
    ['family (GET /v1/families/:id)', (c) => c('GET', `/v1/families/${fam.familyId}`, fam.guardian.as)],
    ['log-in (POST /v1/sessions)', (c) => c('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: PASSWORD } })],
  ];
  const timeAll = async (phase: 'empty' | 'seeded', withSends = true): Promise<Map<string, number[]>> => {
    const times = new Map<string, number[]>();
    const sender = senders[phase];
    const voices = withSends ? await sealFor(sender) : [];
    let next = 0;
    const sends: [string, (c: Call) => Promise<unknown>][] = [
      // A send is two requests: the sealed blob, then the envelope that names it. Each sample is a new message.
      [
        'send (PUT blob + POST message)',
        async (c) => {
          const voice = voices[next++];
          if (!voice) throw new Error('out of sealed voices');
          const put = await c('PUT', `/v1/families/${sender.fam.familyId}/blobs/${voice.hash}`, { ...sender.fam.guardian.as, raw: voice.blob });
          if (put.status >= 300) return put;
          return c('POST', `/v1/families/${sender.fam.familyId}/messages`, { ...sender.fam.guardian.as, body: { envelope: voice.envelope } });
        },
      ],
    ];
    for (const [name, fn] of withSends ? [...requests, ...sends] : requests) {
      const xs: number[] = [];
      for (let i = 0; i < SAMPLES + 10; i++) {
        const t = performance.now();
        // The seeder held the event loop for minutes: a kept-alive connection may be gone (retried once).
        // (Not for a send: a retried send would be a second message.)
        const answer = (await (name.startsWith('send') ? fn(call) : fn(call).catch(() => fn(call)))) as { status: number; text: string };
        if (answer.status >= 300) throw new Error(`${name}: ${String(answer.status)} ${answer.text}`);
        if (i >= 10) xs.push(performance.now() - t); // the first ten warm up
      }
      times.set(name, xs);
    }
    return times;
  };
  console.log(`timing the empty installation (load ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  const empty = await timeAll('empty');

  const emptyDir = join(scratch, 'empty');
  const startEnv = (dataDir: string) => ({ BURROW_DATA_DIR: dataDir, HOST: '127.0.0.1', BURROW_ARGON2_MEMORY_KIB: '64', BURROW_ARGON2_TIME_COST: '1', BURROW_CANARY_ACCOUNTS: '0' });
  const startEmpty = await burrow(['serve'], { ...startEnv(emptyDir), PORT: String(await freePort()) }, 'Burrow is listening');

  const target = {
    accounts: Math.round(CLOUDPETS.accounts * SCALE),
    recordings: Math.round(CLOUDPETS.recordings * SCALE),
    relatives: Math.round(CLOUDPETS.relatives * SCALE),
  };
  const counts = countsFor(target, MESSAGES);
  const seeding = performance.now();
  const dbPath = server.config.database.kind === 'sqlite' ? server.config.database.path : '';
  const wrote = seed(dbPath, join(server.dataDir, 'blobs'), { familyId: fam.familyId, guardianAccountId: fam.guardian.accountId, relativeAccountId: relative.accountId, messageIds }, counts, {
    progress: (done, total) => process.stderr.write(`\rseeding ${String(done)}/${String(total)} families (${s(performance.now() - seeding)})`),
  });
  process.stderr.write('\n');
  const dbBytes = statSync(dbPath).size;
  console.log(
    `seeded ${String(wrote.accounts)} accounts, ${String(wrote.messages)} recordings, ${String(wrote.relatives)} relatives in ${s(performance.now() - seeding)}: database ${mib(dbBytes)}, blobs ${mib(wrote.blobBytes)}`,
  );

  console.log(`timing the seeded installation (load ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  const seeded = await timeAll('seeded');
  console.log(`\nrequest p50 / p99, ${String(SAMPLES)} each, one at a time (ms): empty → seeded (ratio of p50, of p99)`);
  for (const name of empty.keys()) {
    const e = empty.get(name) ?? [];
    const f = seeded.get(name) ?? [];
    console.log(
      `  ${name.padEnd(34)} ${pct(e, 0.5).toFixed(2)} / ${pct(e, 0.99).toFixed(2)} → ${pct(f, 0.5).toFixed(2)} / ${pct(f, 0.99).toFixed(2)}  (${(pct(f, 0.5) / pct(e, 0.5)).toFixed(2)}×, ${(pct(f, 0.99) / pct(e, 0.99)).toFixed(2)}×)`,
    );
  }

  if (values['ab-pragmas']) {
    // The serving connection's pragmas alternated on the seeded database, round after round, so a
    // setting's effect is seen against the same load (e.g. 'cache_size = -2000|cache_size = -65536').
    const settings = values['ab-pragmas'].split('|').map((x) => x.trim());
    const rounds = Number(values.rounds ?? 2);
    const results = new Map<string, Map<string, number[]>>();
    for (let r = 0; r < rounds; r++)
      for (const setting of settings) {
        for (const one of setting.split(';')) await server.db.executeQuery(CompiledQuery.raw(`pragma ${one.trim()}`));
        const times = await timeAll('seeded', false);
        const all = results.get(setting) ?? new Map<string, number[]>();
        for (const [name, xs] of times) all.set(name, [...(all.get(name) ?? []), ...xs]);
        results.set(setting, all);
        console.log(`  (round ${String(r + 1)}, ${setting} done, load ${loadavg()[0]?.toFixed(1) ?? '?'})`);
      }
    console.log(`\nseeded, pragmas alternated ${String(rounds)} rounds (${String(rounds * SAMPLES)} samples each), p50 / p99 ms:`);
    for (const name of seeded.keys()) {
      if (name.startsWith('send')) continue;
      console.log(`  ${name.padEnd(34)} ${settings.map((x) => `${x}: ${pct(results.get(x)?.get(name) ?? [], 0.5).toFixed(2)} / ${pct(results.get(x)?.get(name) ?? [], 0.99).toFixed(2)}`).join('   ')}`);
    }
  }

  if (values.plans) {
    // Each read request's statements and their plans on the seeded database (a second connection).
    const reader = new Database(dbPath, { readonly: true });
    try {
      for (const [name, fn] of requests) {
        console.log(`\n${name}:`);
        const ran: Ran[] = await statementsOf(() => fn(call));
        for (const { sql, parameters } of ran) {
          if (/^(begin|commit|rollback|savepoint|release|pragma)/i.test(sql.trim())) continue;
          let plan: string;
          try {
            plan = (reader.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail).join('; ');
          } catch (err) {
            plan = `(not planned here: ${err instanceof Error ? err.message : String(err)})`; // e.g. the honeychecker's own database
          }
          console.log(`  ${sql.replace(/\s+/g, ' ').slice(0, 400)}\n    → ${plan}`);
        }
      }
    } finally {
      reader.close();
    }
  }

  // A tripwire event's owner (tripwires/service.ts accountOf): by id when the sign-in names it, by
  // password hash when it does not.
  const hash = (await server.db.selectFrom('accounts').select('password_hash').where('id', '=', fam.guardian.accountId).executeTakeFirstOrThrow()).password_hash;
  const lookups: [string, () => Promise<unknown>][] = [
    ['by account id', () => server.db.selectFrom('accounts').select('id').where('id', '=', fam.guardian.accountId).executeTakeFirst()],
    ['by password hash', () => accountIdByPasswordHash(server.db, hash)],
  ];
  for (const [name, fn] of lookups) {
    const xs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    console.log(`tripwire owner lookup ${name}: p50 ${pct(xs, 0.5).toFixed(2)} ms`);
  }
  const compiled = accountByPasswordHashQuery(server.db, hash).compile();
  const plan = await server.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
  console.log(`  (by password hash: ${plan.rows.map((r) => r.detail).join('; ')})`);

  const startSeeded = await burrow(['serve'], { ...startEnv(server.dataDir), PORT: String(await freePort()) }, 'Burrow is listening');
  console.log(`\nburrow serve until listening: empty ${s(startEmpty.ms)} (peak RSS ${mib(startEmpty.rssKib * 1024)}), seeded ${s(startSeeded.ms)} (peak RSS ${mib(startSeeded.rssKib * 1024)})`);

  if (!values['skip-backup']) {
    const identity = join(scratch, 'identity.txt');
    const keygen = await burrow(['backup', 'keygen', '--identity', identity], {});
    const recipient = /age1[0-9a-z]+/.exec(keygen.out)?.[0];
    if (!recipient) throw new Error(`no recipient in: ${keygen.out}`);
    const outDir = join(scratch, 'backups');
    const made = await burrow(['backup', '--recipient', recipient, '--out', outDir], { BURROW_DATA_DIR: server.dataDir });
    const backupDir = join(outDir, readdirSync(outDir)[0] ?? '');
    console.log(`burrow backup:  ${s(made.ms)}, peak RSS ${mib(made.rssKib * 1024)}, size ${mib(duBytes(backupDir))}`);
    const verified = await burrow(['backup', 'verify', backupDir, '--identity', identity], {});
    console.log(`backup verify:  ${s(verified.ms)}, peak RSS ${mib(verified.rssKib * 1024)} (decrypts everything, checks every hash)`);
    if (!values['skip-restore']) {
      const restoredDir = join(scratch, 'restored');
      const restored = await burrow(['restore', backupDir, '--identity', identity], { BURROW_DATA_DIR: restoredDir });
      console.log(`burrow restore: ${s(restored.ms)}, peak RSS ${mib(restored.rssKib * 1024)}, restored ${mib(duBytes(restoredDir))}`);
    }
  }
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}
// tsx's esbuild service would keep the process alive after the report.
process.exit(0);
