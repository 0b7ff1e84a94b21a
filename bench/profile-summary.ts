/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- delivery --profile DIR`) and
 * prints where the time went: self time by package or area, and the top functions.
 *
 *   npx tsx bench/profile-summary.ts DIR/CPU.*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
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

/** Self time (ms) by area and by function. */
export function summarize(profile: Profile): { totalMs: number; areas: [string, number][]; functions: [string, number][] } {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const samples = profile.samples.length;
  const perSample = samples > 0 ? totalMs / samples : 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * perSample;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|packages)\//, '')}:${String(lineNumber + 1)}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, areas: sorted(areas), functions: sorted(functions) };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const { totalMs, areas, functions } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    const pct = (ms: number): string => `${((100 * ms) / totalMs).toFixed(1)} %`;
    console.log(`${file}: ${(totalMs / 1000).toFixed(1)} s profiled\n\nself time by area:`);
    for (const [area, ms] of areas.slice(0, top)) console.log(`  ${pct(ms).padStart(7)}  ${area}`);
    console.log('\ntop functions (self time):');
    for (const [fn, ms] of functions.slice(0, top)) console.log(`  ${pct(ms).padStart(7)}  ${fn}`);
  }
}
