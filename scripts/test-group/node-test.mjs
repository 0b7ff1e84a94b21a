// What the bundled test files get for `node:test` (scripts/bundle-tests.mjs): node:test itself, except
// that while `runGroup` imports a test file, the file's top-level test(), describe() and hooks are
// recorded instead of registered. Once the file is imported they are registered inside a describe()
// named after the file, so several test files can share one process (scripts/test-groups.mjs) and
// each keeps its own before/after hooks, as it had when it was a process of its own.
//
// Calls made later (a hook a test adds while it runs, a describe()'s own tests) go straight to
// node:test, whose context is then the right one.
//
// Plain JavaScript: it runs before anything is compiled.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as real from 'node:test';

export * from 'node:test';

/** The calls the file being imported made (null: no file is being imported). */
let recording = null;

/** `fn` that records its calls while a file is being imported, and otherwise calls node:test. */
function deferred(fn, variant) {
  return (...args) => {
    if (recording === null) return fn(...args);
    recording.push({ fn, args });
    return variant === 'suite' || variant === 'test' ? Promise.resolve() : undefined;
  };
}

/** test/it/describe/suite with their .skip, .todo and .only, each deferred. */
function withVariants(fn, variant) {
  const wrapped = deferred(fn, variant);
  for (const name of ['skip', 'todo', 'only']) if (typeof fn[name] === 'function') wrapped[name] = deferred(fn[name].bind(fn), variant);
  return wrapped;
}

export const test = withVariants(real.test, 'test');
export const it = withVariants(real.it, 'test');
export const describe = withVariants(real.describe, 'suite');
export const suite = withVariants(real.suite, 'suite');
export const before = deferred(real.before, 'hook');
export const after = deferred(real.after, 'hook');
export const beforeEach = deferred(real.beforeEach, 'hook');
export const afterEach = deferred(real.afterEach, 'hook');
export default test;

/**
 * Imports each test file of a group, then registers each file's tests inside a describe() of its own.
 * `root`: the URL of the mirror's root folder; `files`: the test files, relative to it.
 * All files are imported before any test is registered: a test that adds a hook while it runs must
 * not land in the recording of the file being imported then. While a file's tests run,
 * BURROW_TEST_FILE names it (the query shapes and the processes it starts are its own:
 * scripts/test-costs.mjs, db/query-shapes.ts), and its CPU time (import included) is logged as its own.
 */
export async function runGroup(root, files) {
  const costLog = process.env.BURROW_TEST_COST_LOG;
  const imported = [];
  for (const file of files) {
    const path = fileURLToPath(new URL(file, root));
    process.env.BURROW_TEST_FILE = path;
    const cpu = process.cpuUsage();
    recording = [];
    try {
      await import(new URL(file, root).href);
      imported.push({ path, calls: recording, importCpu: process.cpuUsage(cpu) });
    } finally {
      recording = null;
    }
  }
  for (const { path, calls, importCpu } of imported)
    real.describe(relative(fileURLToPath(root), path), () => {
      let cpu;
      let started;
      real.before(() => {
        process.env.BURROW_TEST_FILE = path;
        cpu = process.cpuUsage();
        started = performance.now();
      });
      for (const { fn, args } of calls) fn(...args);
      real.after(() => {
        if (!costLog) return;
        const { user, system } = process.cpuUsage(cpu);
        const seconds = (user + system + importCpu.user + importCpu.system) / 1e6;
        appendFileSync(costLog, `${path}\t${seconds.toFixed(2)}\t${((performance.now() - started) / 1000).toFixed(2)}\n`);
      });
    });
}
