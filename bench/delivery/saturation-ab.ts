/**
 * `npx tsx bench/delivery/saturation-ab.ts --tree DIR [--tree DIR ...] [--rate 500] [--messages 2000]
 * [--rounds 3] [--drain-ms 20000] [--profile DIR]`: the delivery benchmark's open loop past saturation
 * (issue #11: 500 msg/s, where one node manages a few hundred) on one or more checkouts of Burrow side
 * by side, rounds interleaved and their order rotating, so a change to back-pressure is measured
 * against its parent in the same minutes of a shared machine. The senders are this tree's
 * (sendSealedRetrying: a 503 is sent again after its Retry-After until the drain ends), so every tree
 * is driven the same way; only the server differs. Per tree: delivered, never accepted, held after a
 * retry, p50/p99 over all held and p99 over the messages accepted at their first try (how long an
 * accepted message takes to reach the toy), and the Burrow process's CPU ms per delivered message.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpCast, type Cast } from './family.js';
import { burrowOpenLoop, seal } from './burrow-load.js';
import type { LatencyResult } from './open-loop.js';
import { startChild, type Child } from './processes.js';
import { spread } from './stats.js';

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true },
    rate: { type: 'string', default: '500' },
    messages: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    'drain-ms': { type: 'string', default: '20000' },
    profile: { type: 'string' },
  },
});
const trees = (values.tree ?? []).map((t) => resolve(t));
if (trees.length === 0) throw new Error('Name at least one --tree (a Burrow checkout with its node_modules).');
const rate = Number(values.rate);
const messages = Number(values.messages);
const rounds = Number(values.rounds);
const drainMs = Number(values['drain-ms']);

/** User + system CPU of a process so far, in ms (/proc/PID/stat fields 14 and 15, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Subject {
  tree: string;
  child: Child;
  cast: Cast;
  results: (LatencyResult & { cpuPerMessage: number; load: string })[];
}

console.log(`open loop ${String(rate)} msg/s, ${String(messages)} messages, ${String(rounds)} rounds; load average at start: ${load()}`);
const subjects: Subject[] = [];
try {
  for (const [i, tree] of trees.entries()) {
    const flags = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile, String(i))}`];
    const child = await startChild('burrow-child.ts', flags, resolve(tree, 'bench/delivery/burrow-child.ts'), tree);
    const cast = await setUpCast(child.url, 32);
    // Warm up untimed below saturation: V8 compiles the hot paths and the statement cache fills.
    await burrowOpenLoop(cast, await seal(cast, 100, 48 * 1024), 100, 5000);
    subjects.push({ tree, child, cast, results: [] });
  }
  for (let r = 0; r < rounds; r++) {
    const order = [...subjects];
    for (let k = 0; k < r % order.length; k++) order.push(order.shift()!);
    for (const who of order) {
      const sealed = await seal(who.cast, messages, 48 * 1024);
      const before = cpuMs(who.child.pid);
      const at = load();
      const result = await burrowOpenLoop(who.cast, sealed, rate, drainMs);
      const cpuPerMessage = (cpuMs(who.child.pid) - before) / Math.max(1, result.held);
      who.results.push({ ...result, cpuPerMessage, load: at });
      console.log(
        `round ${String(r + 1)} · ${who.tree} (load ${at}): held ${String(result.held)}/${String(result.sent)}, never accepted ${String(result.refused)}, ` +
          `after a retry ${String(result.retried)}; p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms, first tries' p99 ${result.firstTryP99Ms.toFixed(0)} ms, acknowledged → held p99 ${result.ackToHeldP99Ms.toFixed(0)} ms; ` +
          `${cpuPerMessage.toFixed(2)} CPU ms per message held`,
      );
    }
  }
  const f = (xs: number[], digits = 0): string => {
    const s = spread(xs);
    return Number.isNaN(s.median) ? 'n/a' : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  };
  console.log(`load average at end: ${load()}\n`);
  console.log(`| tree | held of ${String(messages)} | never accepted | held after a retry | p50 ms | p99 ms | first tries' p99 ms | acknowledged → held p99 ms | CPU ms per message |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const s of subjects) {
    const pick = (k: keyof LatencyResult): number[] => s.results.map((x) => x[k]);
    console.log(
      `| ${s.tree} | ${f(pick('held'))} | ${f(pick('refused'))} | ${f(pick('retried'))} | ${f(pick('p50Ms'))} | ${f(pick('p99Ms'))} | ${f(pick('firstTryP99Ms'))} | ${f(pick('ackToHeldP99Ms'))} | ${f(s.results.map((x) => x.cpuPerMessage), 2)} |`,
    );
  }
} finally {
  for (const s of subjects) await s.cast.toyClient.close();
  await Promise.all(subjects.map((s) => s.child.stop()));
}
