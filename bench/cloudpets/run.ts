/**
 * Burrow at CloudPets' size (issue #12), on SQLite or PostgreSQL: one real family is made through the
 * API and its request paths (and a send, on a family of its own) are timed on the near-empty
 * installation; the seeder (seed.ts) then clones it to 821,396 accounts, 2,182,337 recordings (1 KiB
 * blobs in the fs store) and 371,970 relatives, and the same requests are timed again, on the same
 * server. Then: a tripwire event's owner lookup, the daily maintenance against the issue's backlog
 * (backlog.ts; each job's longest batch, the longest event-loop stall), `burrow serve` start-up
 * (seeded vs empty), and `burrow backup`, `backup verify` and `restore` as the CLI runs them (time,
 * peak RSS from /usr/bin/time, size). Reported, not asserted. Everything it made is deleted at the
 * end (≈ 30 GB on the way at the full size, estimated).
 *
 *   npx tsx bench/cloudpets/run.ts [--scale 1] [--samples 200] [--skip-backup] [--skip-restore]
 *     [--skip-maintenance] [--plans] [--ab-pragmas 'cache_size = -2000|cache_size = -65536' --rounds 2]
 *     [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 *
 * `--plans` (SQLite) prints each timed request's statements with their plans and times on the seeded
 * database; `--ab-pragmas` alternates the serving connection's pragmas on it, round by round.
 * `--scale 0.01` seeds a hundredth (a minute) to try it out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompiledQuery } from 'kysely';
import Database from 'libsql';
import pg from 'pg';
import { startTestServer } from '@burrow/server';
import { syncFileSystems } from '@burrow/server/backup';
import { entry, expectStatus, family, pairToy, PASSWORD, person, publish, sealedVoice } from '../../packages/server/src/testing/fixtures.js';
import { httpClient, type Call } from '../../packages/server/src/testing/http.js';
import { freePort } from '../../packages/server/src/testing/processes.js';
import { accountByPasswordHashQuery, accountIdByPasswordHash } from '../../packages/server/src/tripwires/owner.js';
import { CLOUDPETS, countsFor, seed } from './seed.js';
import { statementsOf, watchStatements, type Ran } from './statements.js';
import { seedBacklog } from './backlog.js';

const { values } = parseArgs({
  options: { postgres: { type: 'string' }, 'ab-pragmas': { type: 'string' }, rounds: { type: 'string' }, scale: { type: 'string' }, samples: { type: 'string' }, 'skip-backup': { type: 'boolean' }, 'skip-restore': { type: 'boolean' }, 'skip-maintenance': { type: 'boolean' }, plans: { type: 'boolean' } },
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

// --postgres URL: the installation on PostgreSQL (a database of its own made on that server, dropped
// at the end); otherwise SQLite in the data folder.
const adminUrl = values.postgres ?? null;
if (adminUrl && (values.plans || values['ab-pragmas'])) throw new Error('--plans and --ab-pragmas read SQLite only');
const server = await startTestServer({ postgresUrl: adminUrl });
const database = server.config.database;
/** The CLI's settings for this installation's database (SQLite: the data folder's file). */
const databaseEnv: Record<string, string> = database.kind === 'postgres' ? { BURROW_DATABASE_URL: database.url } : {};
/** Databases made on the PostgreSQL server for the empty start-up and the restore, dropped at the end. */
const madeDatabases: string[] = [];
async function emptyPgDatabase(): Promise<string> {
  const name = `burrow_cloudpets_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl ?? '' });
  await client.connect();
  await client.query(`create database ${name}`).finally(() => client.end());
  madeDatabases.push(name);
  const url = new URL(adminUrl ?? '');
  url.pathname = `/${name}`;
  return url.toString();
}
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
  const startEmpty = await burrow(
    ['serve'],
    { ...startEnv(emptyDir), ...(adminUrl ? { BURROW_DATABASE_URL: await emptyPgDatabase() } : {}), PORT: String(await freePort()) },
    'Burrow is listening',
  );

  const target = {
    accounts: Math.round(CLOUDPETS.accounts * SCALE),
    recordings: Math.round(CLOUDPETS.recordings * SCALE),
    relatives: Math.round(CLOUDPETS.relatives * SCALE),
  };
  const counts = countsFor(target, MESSAGES);
  const seeding = performance.now();
  const dbPath = database.kind === 'sqlite' ? database.path : '';
  const wrote = await seed(database, join(server.dataDir, 'blobs'), { familyId: fam.familyId, guardianAccountId: fam.guardian.accountId, relativeAccountId: relative.accountId, messageIds }, counts, {
    progress: (done, total) => process.stderr.write(`\rseeding ${String(done)}/${String(total)} families (${s(performance.now() - seeding)})`),
  });
  process.stderr.write('\n');
  // The seeder's writes (the database and a file per blob) are still being written back by the kernel;
  // flushed now, or every fsync of the seeded timing (a send's, a log-in's) waits behind them.
  const flushing = performance.now();
  await syncFileSystems([server.dataDir]);
  if (database.kind === 'postgres') await server.db.executeQuery(CompiledQuery.raw('checkpoint'));
  console.log(`seeded files flushed to disk in ${s(performance.now() - flushing)}`);
  const dbBytes =
    database.kind === 'sqlite'
      ? statSync(dbPath).size
      : Number((await server.db.executeQuery<{ n: number }>(CompiledQuery.raw('select pg_database_size(current_database()) as n'))).rows[0]?.n ?? NaN);
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
        const runs = 20;
        const ran: Ran[] = await statementsOf(() => fn(call), runs);
        console.log(`  (${ran.reduce((a, r) => a + r.ms, 0) / runs > 0 ? (ran.reduce((a, r) => a + r.ms, 0) / runs).toFixed(2) : '0'} ms a request in SQLite, mean of ${String(runs)})`);
        for (const { sql, parameters, ms } of ran) {
          if (/^(begin|commit|rollback|savepoint|release|pragma)/i.test(sql.trim())) continue;
          let plan: string;
          try {
            plan = (reader.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail).join('; ');
          } catch (err) {
            plan = `(not planned here: ${err instanceof Error ? err.message : String(err)})`; // e.g. the honeychecker's own database
          }
          console.log(`  ${sql.replace(/\s+/g, ' ').slice(0, 300)}\n    → ${plan}  [${(ms / runs).toFixed(3)} ms]`);
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
  const explain = database.kind === 'sqlite' ? 'explain query plan' : 'explain';
  const plan = await server.db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${explain} ${compiled.sql}`, [...compiled.parameters]));
  console.log(`  (by password hash: ${plan.rows.map((r) => r.detail ?? r['QUERY PLAN']).join('; ')})`);

  if (!values['skip-maintenance']) {
    // Before `burrow serve` runs on the same folder: a second process's writes left this connection's
    // next write SQLITE_BUSY_SNAPSHOT (a statement that failed on the lock stays active in libsql).
    // The daily maintenance against CloudPets' backlog (backlog.ts): each job's longest batch, and the
    // event loop's longest stall meanwhile (libsql is synchronous: a statement holds every request).
    const backlogAt = performance.now();
    const backlog = await seedBacklog(server.db, server.config.database.kind, {
      scale: SCALE,
      now: Date.now(),
      keepAccounts: [fam.guardian.accountId, relative.accountId, senders.empty.fam.guardian.accountId, senders.seeded.fam.guardian.accountId],
    });
    console.log(
      `\nmaintenance backlog: ${String(backlog.auditRows)} audit rows (${String(backlog.auditPastRetention)} past retention), ${String(backlog.sessionsExpired)} sessions expired, ${String(backlog.throttleRows)} stale throttle rows (written in ${s(performance.now() - backlogAt)})`,
    );
    // The seeder ran in this process: its dead rows and buffers (about 100 MB at --scale 0.1) wait for
    // the next major collection, a memory-reducing one that came in the middle of the first job and
    // held the loop 1.5-2.6 s (docs/performance.md, "The inactivity sweep's stall"). A server has no
    // seeder in its heap: collected now, so each job's figures are its own.
    const collecting = performance.now();
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    // Something runs for 0.5-0.6 s right after forced collections (inactivity-stalls.ts --gc-first saw
    // it twice, at load 9-16; not pinned down): let it pass before the first job is timed.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    console.log(`the seeder's garbage collected before the maintenance: ${s(performance.now() - collecting)}`);
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const ran = performance.now();
    const results = await server.services.maintenance.run();
    stalls.disable();
    console.log(`maintenance run: ${s(performance.now() - ran)}, load ${loadavg()[0]?.toFixed(1) ?? '?'}; longest event-loop stall ${(stalls.max / 1e6).toFixed(1)} ms`);
    for (const [job, r] of Object.entries(results))
      console.log(
        `  ${job.padEnd(18)} deleted ${String(r.deleted).padStart(8)} in ${String(r.batches).padStart(5)} batches, longest batch ${r.slowestMs.toFixed(1)} ms, event loop late by up to ${(r.loopMaxMs ?? 0).toFixed(1)} ms`,
      );
  }

  const startSeeded = await burrow(['serve'], { ...startEnv(server.dataDir), ...databaseEnv, PORT: String(await freePort()) }, 'Burrow is listening');
  console.log(`\nburrow serve until listening: empty ${s(startEmpty.ms)} (peak RSS ${mib(startEmpty.rssKib * 1024)}), seeded ${s(startSeeded.ms)} (peak RSS ${mib(startSeeded.rssKib * 1024)})`);

  if (!values['skip-backup']) {
    const identity = join(scratch, 'identity.txt');
    const keygen = await burrow(['backup', 'keygen', '--identity', identity], {});
    const recipient = /age1[0-9a-z]+/.exec(keygen.out)?.[0];
    if (!recipient) throw new Error(`no recipient in: ${keygen.out}`);
    const outDir = join(scratch, 'backups');
    const made = await burrow(['backup', '--recipient', recipient, '--out', outDir], { BURROW_DATA_DIR: server.dataDir, ...databaseEnv });
    const backupDir = join(outDir, readdirSync(outDir)[0] ?? '');
    console.log(`burrow backup:  ${s(made.ms)}, peak RSS ${mib(made.rssKib * 1024)}, size ${mib(duBytes(backupDir))}`);
    const verified = await burrow(['backup', 'verify', backupDir, '--identity', identity], {});
    console.log(`backup verify:  ${s(verified.ms)}, peak RSS ${mib(verified.rssKib * 1024)} (decrypts everything, checks every hash)`);
    if (!values['skip-restore']) {
      const restoredDir = join(scratch, 'restored');
      const restored = await burrow(['restore', backupDir, '--identity', identity], {
        BURROW_DATA_DIR: restoredDir,
        ...(adminUrl ? { BURROW_DATABASE_URL: await emptyPgDatabase() } : {}),
      });
      console.log(`burrow restore: ${s(restored.ms)}, peak RSS ${mib(restored.rssKib * 1024)}, restored ${mib(duBytes(restoredDir))}`);
    }
  }
} finally {
  await server.close();
  for (const name of madeDatabases) {
    const client = new pg.Client({ connectionString: adminUrl ?? '' });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`).finally(() => client.end());
  }
  // Concurrent unlinks (fs/promises), not rmSync's one at a time: testing/start-test-server.ts.
  await rm(scratch, { recursive: true, force: true });
}
// tsx's esbuild service would keep the process alive after the report.
process.exit(0);
