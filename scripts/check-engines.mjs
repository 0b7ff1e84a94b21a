// Checks that the root package.json's `engines.node` tells the truth: every package in the lockfile
// (dependencies and devDependencies, all platforms) must accept every Node version we claim to
// support — our range must be a subset of each package's own `engines.node`. A dependency that
// needs a newer Node than we say (cookie@2 wanted Node 22) fails here before `npm ci` warns
// EBADENGINE on someone's machine. Fix by an `overrides` entry to a version that accepts our range,
// or by raising ours.
//
//   node scripts/check-engines.mjs [path/to/package-lock.json]
//
// Plain JavaScript; semver is the one npm itself uses, found in node_modules.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const semver = createRequire(`${root}package.json`)('semver');

/** The packages whose `engines.node` does not accept all of `ours`, as "name@version (range)". */
export function enginesMismatches(lock, ours) {
  const problems = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const theirs = entry.engines?.node;
    if (path === '' || typeof theirs !== 'string' || entry.link) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const accepted = semver.validRange(theirs) !== null && semver.subset(ours, theirs, { includePrerelease: false });
    if (!accepted) problems.push(`${name}@${entry.version ?? '?'} needs node ${theirs}`);
  }
  return problems;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lockPath = resolve(process.argv[2] ?? `${root}package-lock.json`);
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const manifest = JSON.parse(readFileSync(resolve(dirname(lockPath), 'package.json'), 'utf8'));
  const ours = manifest.engines?.node;
  if (typeof ours !== 'string') {
    console.error('✗ engines: package.json has no engines.node');
    process.exit(1);
  }
  const problems = enginesMismatches(lock, ours);
  if (problems.length > 0) {
    console.error(`✗ engines: package.json says node ${ours}, but ${String(problems.length)} package(s) need more:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`✓ engines: every package in ${lockPath === resolve(`${root}package-lock.json`) ? 'package-lock.json' : lockPath} accepts node ${ours}`);
}
