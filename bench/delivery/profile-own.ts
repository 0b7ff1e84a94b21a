/**
 * `npx tsx bench/delivery/profile-own.ts FILE.cpuprofile --window A:B [--area audit/ ...]`: what each
 * of our folders costs in a CPU profile's window by itself, apart from what merely runs beneath it.
 *
 * bench/profile-summary.ts's inclusive time counts a function whenever it is on the stack. A Fastify
 * hook that calls `done()` runs the next hook, and after the last one Fastify writes the answer, all
 * on the same stack: so the audit trail's `onSend` hook (audit/hook.ts, the first registered) was
 * "inclusive" of most of writing every response. The 2 December profile's "audit trail + activity
 * log ≈ 10-15 %" was that (issue #11): their own work was ≈ 2 %. Here a sample counts for a folder
 * when one of its frames is on the stack; it is **own** unless a Fastify frame sits between the
 * folder's deepest frame and the sampled function (then it is **through the hook chain**).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Profile } from '../profile-summary.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { window: { type: 'string' }, area: { type: 'string', multiple: true } },
});
const file = positionals[0];
if (!file) throw new Error('Name a .cpuprofile file.');
const [from, to] = (values.window ?? '0:1e9').split(':').map(Number) as [number, number];
const areas = values.area ?? ['audit/', 'anomalies/', 'auth/', 'blobs/', 'db/', 'http/', 'maintenance/', 'messages/', 'security-headers/', 'signatures/', 'stream/', 'tripwires/'];

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile & { nodes: Node[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

let at = profile.startTime;
let busy = 0;
const own = new Map(areas.map((a) => [a, 0]));
const chained = new Map(areas.map((a) => [a, 0]));
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas?.[i] ?? 0;
  const second = (at - profile.startTime) / 1e6;
  if (second < from || second >= to) continue;
  const leaf = byId.get(profile.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy++;
  const stack: string[] = [];
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame.url);
  for (const area of areas) {
    const deepest = stack.findIndex((url) => url.includes(`/server/src/${area}`));
    if (deepest < 0) continue;
    const throughFastify = stack.slice(0, deepest).some((url) => url.includes('/fastify/lib/'));
    (throughFastify ? chained : own).set(area, (throughFastify ? chained : own).get(area)! + 1);
  }
}
const pct = (n: number) => `${((100 * n) / busy).toFixed(1)} %`;
console.log(`${file}: seconds ${String(from)}-${String(to)}, ${String(busy)} busy samples; shares of busy time\n`);
console.log('| folder | own | through the hook chain |\n|---|---|---|');
for (const area of [...areas].sort((a, b) => own.get(b)! - own.get(a)!)) console.log(`| ${area} | ${pct(own.get(area)!)} | ${pct(chained.get(area)!)} |`);
