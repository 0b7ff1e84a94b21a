/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- delivery --profile DIR`) and
 * prints where the time went: self time by package or area, the top functions by self time, and our
 * own functions by inclusive time (the samples with that function anywhere on the stack).
 *
 *   npx tsx bench/profile-summary.ts DIR/CPU.*.cpuprofile [--top 25] [--timeline] [--window A:B]
 *
 * A whole process's profile is mostly start-up and idle waiting; `--timeline` prints the busy share
 * of each second so a phase can be found, and `--window A:B` keeps only the samples from second A to
 * second B of the profile. Shares are printed of the busy time (every sample but idle), which a
 * loaded machine moves far less than wall time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs between one sample and the one before it (the first: since startTime). */
  timeDeltas?: number[];
}

/** The area a script belongs to: an npm package, one of our packages' folders, or Node itself. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /packages\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (ours) return `burrow ${ours[1]!}/${ours[2]!.replace(/\.ts$/, '')}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  return url;
}

const nameOf = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|packages)\//, '')}:${String(lineNumber + 1)}` : ''}`;
};

export interface Summary {
  /** Wall time the kept samples span. */
  totalMs: number;
  /** Of it, samples that were not idle. */
  busyMs: number;
  areas: [string, number][];
  functions: [string, number][];
  /** Our own functions (packages/*), by the time they were anywhere on the stack. */
  inclusive: [string, number][];
}

/**
 * Self time (ms) by area and by function, and our functions' inclusive time, of the samples taken
 * between `fromMs` and `toMs` after the profile started (all of them by default).
 */
export function summarize(profile: Profile, fromMs = 0, toMs = Infinity): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const deltas = profile.timeDeltas ?? [];
  const fallback =
    profile.samples.length > 0 ? (profile.endTime - profile.startTime) / profile.samples.length : 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let at = 0;
  let totalMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    const step = deltas[i] ?? fallback;
    at += step;
    const ms = at / 1000;
    if (ms < fromMs || ms > toMs) return;
    // A sample stands for the time until the next one.
    const weight = (deltas[i + 1] ?? step) / 1000;
    totalMs += weight;
    const node = byId.get(id);
    if (!node) return;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    if (area !== '(idle)') busyMs += weight;
    areas.set(area, (areas.get(area) ?? 0) + weight);
    functions.set(nameOf(node), (functions.get(nameOf(node)) ?? 0) + weight);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const frame = byId.get(cur);
      if (!frame || !frame.callFrame.url.includes('/packages/')) continue;
      const name = nameOf(frame);
      if (seen.has(name)) continue; // recursion counts once
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    }
  });
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    busyMs,
    areas: sorted(areas),
    functions: sorted(functions),
    inclusive: sorted(inclusive),
  };
}

/** Busy share per whole second of the profile, to find a phase for --window. */
export function timeline(profile: Profile): { second: number; busy: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  const seconds = new Map<number, { busy: number; all: number }>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += deltas[i] ?? 0;
    const s = Math.floor(at / 1e6);
    const entry = seconds.get(s) ?? { busy: 0, all: 0 };
    const node = byId.get(id);
    entry.all += 1;
    if (node && node.callFrame.functionName !== '(idle)') entry.busy += 1;
    seconds.set(s, entry);
  });
  return [...seconds].sort((a, b) => a[0] - b[0]).map(([second, e]) => ({ second, busy: e.busy / e.all }));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, window: { type: 'string' }, timeline: { type: 'boolean' } },
  });
  const top = Number(values.top ?? 25);
  const window =
    values.window === undefined ? undefined : /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(values.window);
  if (values.window !== undefined && !window)
    throw new Error('--window takes A:B, seconds from the profile start (e.g. 40:70).');
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    if (values.timeline) {
      console.log(`${file}: busy share per second`);
      for (const { second, busy } of timeline(profile))
        console.log(`  ${String(second).padStart(4)} s  ${(100 * busy).toFixed(0).padStart(3)} %`);
      continue;
    }
    const [fromMs, toMs] = window ? [Number(window[1]) * 1000, Number(window[2]) * 1000] : [0, Infinity];
    const { totalMs, busyMs, areas, functions, inclusive } = summarize(profile, fromMs, toMs);
    const pct = (ms: number): string => `${((100 * ms) / busyMs).toFixed(1)} %`;
    console.log(
      `${file}: ${(totalMs / 1000).toFixed(1)} s profiled${window ? ` (seconds ${window[1]!}-${window[2]!})` : ''}, ` +
        `${(busyMs / 1000).toFixed(2)} s busy; shares below are of the busy time\n\nself time by area:`,
    );
    for (const [area, ms] of areas.filter(([a]) => a !== '(idle)').slice(0, top))
      console.log(`  ${pct(ms).padStart(7)}  ${area}`);
    console.log('\ntop functions (self time):');
    for (const [fn, ms] of functions.filter(([f]) => !f.startsWith('(idle)')).slice(0, top))
      console.log(`  ${pct(ms).padStart(7)}  ${fn}`);
    console.log('\nour functions (inclusive time):');
    for (const [fn, ms] of inclusive.slice(0, top)) console.log(`  ${pct(ms).padStart(7)}  ${fn}`);
  }
}
