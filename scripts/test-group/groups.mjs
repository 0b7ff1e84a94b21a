// Several test files per test process: what a lane hands `node --test` (scripts/test.mjs).
//
// Why: most of a small test file's CPU time was its process's own start — Node, the bundled server
// loaded and compiled, the first server's schemas, migrations and statements, all run cold by the
// JIT — paid again by each of ~300 test processes a run. Eight server test files (66 tests) took
// 54.2 CPU-s as eight processes and 19.6 CPU-s as one (2 December 2026, same machine, same load).
//
// How: each group is a small file under test-output/js/test-groups/ that imports its test files one
// after another through scripts/test-group/node-test.mjs, which registers each file's tests and
// top-level hooks inside a describe() named after the file (see there). A file keeps its own
// before/after hooks and its own CPU and query-shape records; what it shares is the process: its
// module state, its JIT, and a crash.
//
// Which files share: the SOLO ones below and the lane's slowest (test-plan.mjs SLOW_FIRST) run alone,
// as before; browser tests by up to BROWSER_GROUP; every other file by up to GROUP, in the lane's order.
//
// Plain JavaScript: it runs before anything is compiled.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SLOW_FIRST, SQLITE_ONLY_DIRS } from '../test-plan.mjs';

/** Test files per process. */
export const GROUP = 8;
/** Browser test files per process: each starts its own Chromium, so fewer share a process. */
export const BROWSER_GROUP = 3;
/**
 * Files that keep a process of their own besides SLOW_FIRST's: none today. A file goes here when it
 * needs a fresh process (process-wide state it changes and cannot restore), with the reason beside it.
 */
export const SOLO = [];

/** Where the group files go, under the mirror. */
export const GROUPS_DIR = 'test-groups';

/** The shim the bundled test files import for node:test, in the mirror (scripts/bundle-tests.mjs). */
export const shimPath = (mirror) => join(mirror, 'scripts', 'test-group', 'node-test.mjs');

/**
 * Splits `files` (a lane's test files in run order, relative to the repository root, as .ts) into
 * process entries: a solo file as itself, the rest in groups. Returns the groups as lists of files.
 */
export function groupFiles(files) {
  const out = [];
  const open = { browser: [], other: [] };
  const flush = (kind) => {
    if (open[kind].length > 0) out.push(open[kind]);
    open[kind] = [];
  };
  for (const file of files) {
    if (SLOW_FIRST.includes(file) || SOLO.includes(file)) {
      out.push([file]);
      continue;
    }
    const kind = SQLITE_ONLY_DIRS.some((d) => file.startsWith(d)) ? 'browser' : 'other';
    open[kind].push(file);
    if (open[kind].length >= (kind === 'browser' ? BROWSER_GROUP : GROUP)) flush(kind);
  }
  flush('browser');
  flush('other');
  return out;
}

/**
 * Writes the group files of one lane (`label`) under `mirror` and returns what `node --test` runs
 * there, relative to `mirror`: each solo file's bundle, and each group's file.
 */
export function writeGroups(mirror, label, files) {
  const dir = join(mirror, GROUPS_DIR, label);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const js = (file) => file.replace(/\.tsx?$/, '.js');
  const shim = pathToFileURL(shimPath(mirror)).href;
  const root = pathToFileURL(join(mirror, '/')).href;
  return groupFiles(files).map((group, i) => {
    if (group.length === 1) return js(group[0]);
    // Named .group.js, not .test.js: scripts/test-costs.mjs logs each file of a group, not the group.
    const entry = join(GROUPS_DIR, label, `${String(i + 1).padStart(3, '0')}.group.js`);
    writeFileSync(
      join(mirror, entry),
      `// ${String(group.length)} test files in one process (scripts/test-group/groups.mjs).\n` +
        `import { runGroup } from ${JSON.stringify(shim)};\n` +
        `await runGroup(${JSON.stringify(root)}, ${JSON.stringify(group.map(js), null, 2)});\n`,
    );
    return entry;
  });
}
