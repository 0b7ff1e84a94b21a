/**
 * `npx tsx bench/delivery/blob-cpu.ts --tree DIR --tree DIR [--rounds N] [--blobs N] [--concurrency N]`:
 * CPU per blob put and per blob get of the filesystem blob store (packages/server/src/blobs/fs-blobs.ts)
 * of two or more checkouts, side by side in one process, the rounds interleaved with the order
 * rotating. The whole-process benchmark (durable-ab.ts) cannot resolve a change of a few tens of
 * microseconds per message on a loaded machine (its rate, and with it the per-second share of its CPU,
 * moves several times between rounds); this runs only the store, 48 KiB blobs as the delivery
 * benchmark sends, `concurrency` at a time, and reads this process's user + system CPU
 * (process.cpuUsage: every thread, so the threadpool's fs calls count too) over each phase.
 * The data goes under TMPDIR: on tmpfs the syncs cost nothing and what is left is the calls' own CPU.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Store {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
}

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '5' },
    blobs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const trees = (values.tree ?? []).map((t) => resolve(t));
if (trees.length === 0) throw new Error('Name at least one --tree (a Burrow checkout).');
const rounds = Number(values.rounds);
const count = Number(values.blobs);
const concurrency = Number(values.concurrency);

const stores = await Promise.all(
  trees.map(async (tree) => {
    const mod = (await import(pathToFileURL(join(tree, 'packages/server/src/blobs/fs-blobs.ts')).href)) as { createFsBlobs: (root: string) => Store };
    return { tree, create: mod.createFsBlobs, put: [] as number[], get: [] as number[] };
  }),
);
const payloads = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(48 * 1024)));

async function inParallel(n: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await each(next++);
    }),
  );
}

/** µs of this process's CPU (user + system, all threads) per call of `each`. */
async function cpuPer(n: number, each: (i: number) => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await inParallel(n, each);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let round = 0; round < rounds + 1; round++) {
  // Round 0 warms up (module code, the threadpool, the page cache) and is not counted.
  const order = stores.map((_, i) => stores[(i + round) % stores.length]!);
  for (const subject of order) {
    const root = mkdtempSync(join(tmpdir(), 'burrow-blob-cpu-'));
    try {
      const store = subject.create(root);
      // 16 families' folders, as a busy node's uploads spread over families.
      const key = (i: number) => `fam${String(i % 16)}/b${String(i)}`;
      const put = await cpuPer(count, (i) => store.put(key(i), payloads[i % payloads.length]!));
      const get = await cpuPer(count, async (i) => {
        if ((await store.get(key(i)))?.length !== 48 * 1024) throw new Error('a blob came back wrong');
      });
      if (round > 0) {
        subject.put.push(put);
        subject.get.push(get);
        console.log(`round ${String(round)} · ${subject.tree}: put ${put.toFixed(1)} µs, get ${get.toFixed(1)} µs of CPU per blob`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log('| tree | CPU µs per put, median (range) | CPU µs per get, median (range) |\n|---|---|---|');
for (const s of stores) console.log(`| ${s.tree} | ${median(s.put).toFixed(1)} (${range(s.put)}) | ${median(s.get).toFixed(1)} (${range(s.get)}) |`);
console.log(`(${String(count)} blobs of 48 KiB per phase, ${String(concurrency)} at a time, under ${tmpdir()})`);
