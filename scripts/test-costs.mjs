// Loaded into every test process by `npm test` (node --import): at exit, appends the file's CPU time
// and wall time to BURROW_TEST_COST_LOG — `<test file>\t<CPU s>\t<wall s>`. On a 2-core machine the
// suite's length is its CPU time over two, so CPU-s per file is what says where a run goes (printed at
// the end of `npm test`, and what scripts/test-plan.mjs weighs when it picks the PostgreSQL files).
// Processes a test spawns (a CLI, a second node) are not counted. A process that runs a group of test
// files (scripts/test-group/groups.mjs, a *.group.js) logs nothing here: scripts/test-group/node-test.mjs
// logs each of its files, and names each in BURROW_TEST_FILE while its tests run.
import { appendFileSync } from 'node:fs';

const log = process.env.BURROW_TEST_COST_LOG;
const file = process.argv[1];
// Processes the test starts (a server, a CLI) inherit this: their queries count as the test file's
// (db/query-shapes.ts), so the PostgreSQL plan sees which file makes them run.
if (file?.endsWith('.test.js')) process.env.BURROW_TEST_FILE = file;
if (log && file?.endsWith('.test.js'))
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(log, `${file}\t${((user + system) / 1e6).toFixed(2)}\t${process.uptime().toFixed(2)}\n`);
  });
