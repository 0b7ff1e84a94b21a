/**
 * The memory phase of the delivery benchmark on its own: `npm run bench -- toy-memory [--toys N]
 * [--reps N] [--heap DIR]`. Each repetition starts a fresh Burrow process, registers `n` toys, reads
 * its RSS after a full GC, opens all `n` toy streams at once (64 handshakes in flight) and reads it
 * again: the delta / n is the memory per connected toy, and the time to open them all is reported
 * beside it (issue #11: ≤ 4 KiB per toy and ≤ 10 s for 10,000 streams).
 *
 * `--heap DIR` also writes a heap snapshot of the server before and after the streams open and prints
 * which kinds of object grew, by constructor (self sizes; V8's heap only: sockets' native buffers
 * and libuv handles show in the RSS figure alone).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { registerToys, type RegisteredToy } from './burrow-load.js';
import { startChild, type Child } from './processes.js';
import { pool, rssOf, sleep, spread } from './stats.js';

export interface ToyMemoryReading {
  /** RSS growth per connected toy, bytes. */
  bytesPerToy: number;
  /** Wall time from the first handshake to the last stream open, ms. */
  openMs: number;
}

/** Handshakes in flight while the streams open. */
const IN_FLIGHT = 64;

/** Opens every toy's stream on `server`, reads the RSS growth per toy and the time it took, closes them. */
export async function readToyMemory(server: Child, toys: readonly RegisteredToy[], snapshot?: () => Promise<void>): Promise<ToyMemoryReading> {
  const settle = async (): Promise<number> => {
    server.collectGarbage();
    await sleep(Math.min(1500, 200 + toys.length / 5));
    return rssOf(server.pid);
  };
  const before = await settle();
  await snapshot?.();
  const stream = new URL('/v1/stream', server.url);
  stream.protocol = 'ws:';
  const sockets: WebSocket[] = [];
  const started = performance.now();
  await pool(toys, IN_FLIGHT, async (toy) => {
    const socket = new WebSocket(stream, { headers: { authorization: `Bearer ${toy.token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    sockets.push(socket);
  });
  const openMs = performance.now() - started;
  const after = await settle();
  await snapshot?.();
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.close();
        }),
    ),
  );
  return { bytesPerToy: (after - before) / toys.length, openMs };
}

/** Asks the server (started with --heapsnapshot-signal=SIGUSR1) for a snapshot and waits until it is written. */
function snapshotter(server: Child, dir: string): () => Promise<void> {
  return async () => {
    const count = readdirSync(dir).length;
    process.kill(server.pid, 'SIGUSR1');
    for (;;) {
      await sleep(500);
      const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
      if (files.length <= count) continue;
      const newest = join(dir, files.sort().at(-1)!);
      const size = statSync(newest).size;
      await sleep(1000);
      if (size > 0 && statSync(newest).size === size) return;
    }
  };
}

/** Self size and count per constructor (objects), per function name (closures), per type (the rest). */
function sizesByKind(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${snap.strings[snap.nodes[i + nameAt]!]!.slice(0, 60)}` : `(${type})`;
    const entry = out.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += snap.nodes[i + sizeAt]!;
    entry.count++;
    out.set(key, entry);
  }
  return out;
}

/** Prints the kinds of object that grew most between the last two snapshots in `dir`, per toy. */
function printHeapGrowth(dir: string, toys: number): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).sort();
  const [before, after] = files.slice(-2).map((f) => sizesByKind(join(dir, f)));
  const rows = [...after!].map(([key, a]) => {
    const b = before!.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: a.bytes - b.bytes, count: a.count - b.count };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`  heap growth: ${(total / toys).toFixed(0)} B per toy (self sizes); the largest kinds, per toy:`);
  for (const r of rows.slice(0, 30)) console.log(`    ${(r.bytes / toys).toFixed(0).padStart(6)} B  ${(r.count / toys).toFixed(2).padStart(6)}×  ${r.key}`);
}

/** Runs `reps` repetitions, each on a fresh Burrow process, and prints each reading and the median. */
export async function runToyMemory(n: number, reps: number, heapDir?: string): Promise<ToyMemoryReading[]> {
  const dir = heapDir === undefined ? undefined : resolve(heapDir);
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const flags = dir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR1', `--diagnostic-dir=${dir}`];
  const readings: ToyMemoryReading[] = [];
  for (let r = 0; r < reps; r++) {
    const server = await startChild('burrow-child.ts', flags);
    try {
      const toys = await registerToys(server.url, n);
      const reading = await readToyMemory(server, toys, dir === undefined ? undefined : snapshotter(server, dir));
      readings.push(reading);
      console.log(`  rep ${String(r + 1)}: ${(reading.bytesPerToy / 1024).toFixed(2)} KiB per toy, ${String(n)} streams opened in ${(reading.openMs / 1000).toFixed(2)} s`);
      if (dir !== undefined) printHeapGrowth(dir, n);
    } finally {
      await server.stop();
    }
  }
  const kib = spread(readings.map((x) => x.bytesPerToy / 1024));
  const open = spread(readings.map((x) => x.openMs / 1000));
  console.log(
    `\nmemory per connected toy, ${String(n)} connected: ${kib.median.toFixed(2)} KiB (${kib.min.toFixed(2)}–${kib.max.toFixed(2)}); ` +
      `opening ${String(n)} toy streams: ${open.median.toFixed(2)} s (${open.min.toFixed(2)}–${open.max.toFixed(2)})`,
  );
  return readings;
}
