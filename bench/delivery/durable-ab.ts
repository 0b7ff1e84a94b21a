/**
 * `npx tsx bench/delivery/durable-ab.ts --tree DIR --tree DIR [--rounds N] [--messages N] [--ms N]
 * [--profile DIR] [--env I:NAME=VALUE ...]`:
 * the durable phase of `npm run bench -- delivery` (32 senders, closed loop, `PUT` blob + `POST`
 * envelope, acknowledged means durable) on two or more checkouts of Burrow side by side, so a change
 * can be measured against its parent in the same period on a shared machine. Each tree's Burrow runs
 * as its own child process (that tree's bench/delivery/burrow-child.ts); the rounds interleave the
 * trees and the bare write + fsync server, the order rotating each round. Besides the rate it reads
 * each Burrow process's CPU time (/proc/PID/stat, user + system) over the phase: **CPU ms per
 * acknowledged message**, which moves far less with the machine's load than the rate does.
 * `--env 1:UV_THREADPOOL_SIZE=16` sets a variable for the second tree's Burrow only: the same tree
 * named twice, once with it, measures a setting side by side.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpCast, type Cast, type Sealed } from './family.js';
import { bareDurableRate, burrowDurableRate, seal } from './burrow-load.js';
import { startChild, type Child } from './processes.js';

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '3' },
    messages: { type: 'string', default: '600' },
    ms: { type: 'string', default: '3000' },
    senders: { type: 'string', default: '32' },
    profile: { type: 'string' },
    env: { type: 'string', multiple: true },
  },
});
const trees = (values.tree ?? []).map((t) => resolve(t));
if (trees.length === 0) throw new Error('Name at least one --tree (a Burrow checkout with its node_modules).');
const rounds = Number(values.rounds);
const messages = Number(values.messages);
const durationMs = Number(values.ms);
const senders = Number(values.senders);
/** Per tree (by its index among --tree), the variables --env adds to its Burrow's environment. */
const envOf = new Map<number, Record<string, string>>();
for (const spec of values.env ?? []) {
  const match = /^(\d+):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(spec);
  if (!match) throw new Error(`--env takes INDEX:NAME=VALUE (the tree's index among --tree, from 0), not ${spec}`);
  const index = Number(match[1]);
  envOf.set(index, { ...envOf.get(index), [match[2]!]: match[3]! });
}

/** User + system CPU of a process so far, in ms (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Subject {
  tree: string;
  child: Child;
  cast: Cast;
  rates: number[];
  cpuPerMessage: number[];
}

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at start: ${load()}`);
const bare = await startChild('bare-fsync-server.ts');
const subjects: Subject[] = [];
try {
  for (const [i, tree] of trees.entries()) {
    // --profile DIR: a V8 CPU profile of each tree's Burrow in DIR/<i> (bench/profile-summary.ts reads it).
    const flags = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile, String(i))}`];
    const child = await startChild('burrow-child.ts', flags, resolve(tree, 'bench/delivery/burrow-child.ts'), tree, envOf.get(i));
    const cast = await setUpCast(child.url, senders);
    // One run untimed first: V8 compiles the hot paths and the statement cache fills before anything counts.
    await burrowDurableRate(cast, await seal(cast, Math.min(messages, 200), 48 * 1024), senders, 1000);
    const env = Object.entries(envOf.get(i) ?? {}).map(([k, v]) => ` ${k}=${v}`).join('');
    subjects.push({ tree: `${tree}${env}`, child, cast, rates: [], cpuPerMessage: [] });
  }
  const bareRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order: (Subject | 'bare')[] = ['bare', ...subjects];
    for (let k = 0; k < r % order.length; k++) order.push(order.shift()!);
    for (const who of order) {
      if (who === 'bare') {
        const pool = await seal(subjects[0]!.cast, messages, 48 * 1024);
        const bodies = pool.map((m) => Buffer.concat([m.blob, Buffer.from(JSON.stringify({ envelope: m.envelope }))]));
        const rate = await bareDurableRate(bare.url, bodies, senders, durationMs);
        bareRates.push(rate);
        console.log(`round ${String(r + 1)} · bare ${rate.toFixed(0)}/s`);
        continue;
      }
      const pool: Sealed[] = await seal(who.cast, messages, 48 * 1024);
      const before = cpuMs(who.child.pid);
      const started = performance.now();
      const rate = await burrowDurableRate(who.cast, pool, senders, durationMs);
      const acknowledged = rate * ((performance.now() - started) / 1000);
      // The audit and activity batches flush up to 200 ms after their last event: count them in.
      await new Promise((r) => setTimeout(r, 400));
      const perMessage = (cpuMs(who.child.pid) - before) / Math.max(1, acknowledged);
      who.rates.push(rate);
      who.cpuPerMessage.push(perMessage);
      console.log(`round ${String(r + 1)} · ${who.tree}: ${rate.toFixed(0)}/s, ${perMessage.toFixed(2)} CPU ms per message`);
    }
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const range = (xs: number[], digits: number): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
  console.log(`load average at end: ${load()}`);
  console.log('| tree | durable msg/s (range) | ÷ bare | CPU ms per message (range) |');
  console.log('|---|---|---|---|');
  console.log(`| bare write + fsync | ${median(bareRates).toFixed(0)} (${range(bareRates, 0)}) | 1 | — |`);
  for (const s of subjects)
    console.log(`| ${s.tree} | ${median(s.rates).toFixed(0)} (${range(s.rates, 0)}) | ${(median(s.rates) / median(bareRates)).toFixed(2)}× | ${median(s.cpuPerMessage).toFixed(2)} (${range(s.cpuPerMessage, 2)}) |`);
} finally {
  for (const s of subjects) await s.cast.toyClient.close();
  await Promise.all([bare.stop(), ...subjects.map((s) => s.child.stop())]);
}
