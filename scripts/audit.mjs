// The dependency audit of what production installs: `npm audit --omit=dev`, failing on a high or
// critical advisory. When npm's audit endpoint cannot be reached or refuses (this network's registry
// answers its bulk endpoint with 405), an offline check runs instead and says so:
//   - every production package in package-lock.json is compared with scripts/audit-advisories.json
//     (published advisories for packages we ship; a floor, not a feed);
//   - every production package must come from the registry with an sha512 integrity (no git, file
//     or plain-HTTP sources that the lockfile cannot pin).
//
//   node scripts/audit.mjs                 online, offline fallback
//   node scripts/audit.mjs --offline       the offline check only
//   node scripts/audit.mjs --lock DIR      audit DIR/package-lock.json (tests)
//
// Exit 0 clean, 1 on findings. Plain JavaScript; semver (npm's own) comes from node_modules.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const semver = createRequire(join(root, 'package.json'))('semver');
const FAILING = new Set(['high', 'critical']);

/** Production packages of a lockfile: [{ name, version, resolved, integrity }] (workspace links left out). */
export function productionPackages(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path.includes('node_modules/') && !entry.dev && !entry.link)
    .map(([path, entry]) => ({
      name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version,
      resolved: entry.resolved,
      integrity: entry.integrity,
    }));
}

/** The offline check: known advisories and unpinned sources. Returns human-readable findings. */
export function offlineFindings(lock, advisories) {
  const findings = [];
  for (const pkg of productionPackages(lock)) {
    for (const a of advisories)
      if (a.package === pkg.name && pkg.version && semver.satisfies(pkg.version, a.vulnerable))
        findings.push(`${pkg.name}@${pkg.version}: ${a.id} (${a.severity}) ${a.title}; fixed outside ${a.vulnerable}`);
    const fromRegistry = pkg.resolved === undefined || pkg.resolved.startsWith('https://registry.npmjs.org/');
    if (!fromRegistry || !String(pkg.integrity ?? '').startsWith('sha512-'))
      findings.push(`${pkg.name}@${pkg.version ?? '?'}: not pinned to the registry by an sha512 integrity (${pkg.resolved ?? 'no source'})`);
  }
  return findings;
}

/** Runs `npm audit --omit=dev --json`; null when the endpoint cannot be reached or answers an error. */
function onlineAudit(dir) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['audit', '--omit=dev', '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    return { unreachable: (r.stderr || r.error?.message || 'no answer').trim().split('\n')[0] };
  }
  if (report.error || report.message) return { unreachable: report.message ?? report.error?.summary ?? 'error' };
  return { report };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { offline: { type: 'boolean' }, lock: { type: 'string' } } });
  const dir = resolve(values.lock ?? root);
  let reason = '--offline';
  if (!values.offline) {
    const online = onlineAudit(dir);
    if (online.report) {
      const counts = online.report.metadata?.vulnerabilities ?? {};
      const failing = Object.entries(online.report.vulnerabilities ?? {}).filter(([, v]) => FAILING.has(v.severity));
      const summary = Object.entries(counts).filter(([k, n]) => k !== 'total' && n > 0).map(([k, n]) => `${String(n)} ${k}`).join(', ') || 'none';
      if (failing.length > 0) {
        console.error(`✗ audit: npm audit --omit=dev: ${summary}:\n  ${failing.map(([name, v]) => `${name} (${v.severity}): ${v.fixAvailable ? 'fix available (npm audit fix)' : 'no fix yet'}`).join('\n  ')}`);
        process.exit(1);
      }
      console.log(`✓ audit: npm audit --omit=dev: no high or critical advisories (all: ${summary})`);
      process.exit(0);
    }
    reason = `npm's audit endpoint is unreachable (${online.unreachable})`;
  }
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const { advisories } = JSON.parse(readFileSync(join(root, 'scripts/audit-advisories.json'), 'utf8'));
  const findings = offlineFindings(lock, advisories);
  const scope = `${String(productionPackages(lock).length)} production packages, ${String(advisories.length)} known advisories`;
  if (findings.length > 0) {
    console.error(`✗ audit (offline: ${reason}): ${scope}:\n  ${findings.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`✓ audit (offline: ${reason}): ${scope}, no match; every package pinned by sha512`);
}
