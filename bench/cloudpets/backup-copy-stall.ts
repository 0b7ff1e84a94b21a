/**
 * What a scheduled backup's database copy costs the requests beside it (issue #12), SQLite: a test
 * server's database grown to `--mib` MiB, then the copy as the server used to take it (`VACUUM INTO`
 * on the serving connection) and as it takes it now (backup/sqlite-copy.ts, a worker thread), each
 * with a GET of the family every 20 ms beside it: the event loop's longest delay and the requests'
 * p50 / max meanwhile (a request in flight when a copy holds the loop waits for all of it). Reported, not asserted.
 *
 *   npx tsx bench/cloudpets/backup-copy-stall.ts [--mib 512]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startTestServer } from '../../packages/server/src/testing/start-test-server.js';
import { family } from '../../packages/server/src/testing/fixtures.js';
import { httpClient } from '../../packages/server/src/testing/http.js';
import { copySqliteOffThread } from '../../packages/server/src/backup/sqlite-copy.js';

const { values } = parseArgs({ options: { mib: { type: 'string' } } });
const MIB = Number(values.mib ?? 512);
const server = await startTestServer();
const scratch = mkdtempSync(join(tmpdir(), 'burrow-copy-stall-'));
try {
  if (server.config.database.kind !== 'sqlite') throw new Error('SQLite only');
  const source = server.config.database.path;
  const call = httpClient(server.url);
  const fam = await family(call);
  // Filler rows in a table of the bench's own, 4 KiB of random bytes each, in 16 MiB statements.
  await sql`create table copy_filler (n integer primary key, pad blob not null)`.execute(server.db);
  for (let done = 0; done < MIB * 256; done += 4096)
    await sql`with recursive c(n) as (select ${done + 1} union all select n + 1 from c where n < ${done + 4096}) insert into copy_filler select n, randomblob(4096) from c`.execute(server.db);
  console.log(`database grown to ~${String(MIB)} MiB; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const measure = async (name: string, copy: (target: string) => Promise<unknown>): Promise<void> => {
    const target = join(scratch, `${name}.db`);
    // The longest gap between two ticks of a 10 ms timer: how long the event loop was held at once.
    let lastTick = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - lastTick);
      lastTick = now;
    }, 10);
    const latencies: number[] = [];
    let copying = true;
    const probe = (async () => {
      while (copying) {
        const t = performance.now();
        await call('GET', `/v1/families/${fam.familyId}`, fam.guardian.as);
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 100)); // the probe is under way before the copy starts
    lastTick = performance.now();
    longestGap = 0;
    const t = performance.now();
    await copy(target);
    const ms = performance.now() - t;
    // A tick after the copy: a copy that held the loop is measured when it fires.
    await new Promise((r) => setTimeout(r, 50));
    clearInterval(ticker);
    copying = false;
    await probe;
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? NaN;
    console.log(
      `${name.padEnd(28)} copy ${ms.toFixed(0)} ms; longest event-loop hold ${longestGap.toFixed(0)} ms; ${String(latencies.length)} requests, p50 ${p50.toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms; load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    );
    rmSync(target, { force: true });
  };
  await measure('serving connection (before)', (target) => sql.raw(`VACUUM INTO '${target}'`).execute(server.db));
  await measure('worker thread (now)', (target) => copySqliteOffThread(source, target));
  await measure('serving connection (before)', (target) => sql.raw(`VACUUM INTO '${target}'`).execute(server.db));
  await measure('worker thread (now)', (target) => copySqliteOffThread(source, target));
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
