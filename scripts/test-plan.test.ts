/** The PostgreSQL plan: shapes read from the logs, the cheapest cover, and what a run missed. */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
// @ts-expect-error -- a plain .mjs script without types, as npm test runs it
import { choosePostgresFiles, followUpFiles, readCosts, readShapes, uncoveredShapes } from './test-plan.mjs';

interface Shape {
  sql: string;
  files: Set<string>;
}
type Plan = { files: string[]; orphans: { shape: string; files: string[] }[] };
const plan = choosePostgresFiles as (shapes: Map<string, Shape>, costs: Map<string, number>, candidates: string[]) => Plan;

// The repository the script reads from: under npm test this file runs from the compiled copy in
// test-output/js, where the script is a link back into the checkout.
const root = join(dirname(realpathSync(fileURLToPath(new URL('./test-plan.mjs', import.meta.url)))), '..');
// A test process's file as the logs name it: compiled, in the test mirror.
const logged = (file: string) => join(root, 'test-output', 'js', file.replace(/\.ts$/, '.js'));
const shapeLog = (rows: [string, string][]) => rows.map(([file, shape]) => `${logged(file)}\t${shape}\tselect ${shape}`).join('\n');

test('logs name each file by its source, and each shape by the files that ran it', () => {
  const shapes = (readShapes as (t: string) => Map<string, Shape>)(shapeLog([['e2e/a.test.ts', 's1'], ['e2e/b.test.ts', 's1'], ['e2e/b.test.ts', 's2']]));
  assert.deepEqual([...shapes.keys()], ['s1', 's2']);
  assert.deepEqual([...shapes.get('s1')!.files], ['e2e/a.test.ts', 'e2e/b.test.ts']);
  const costs = (readCosts as (t: string) => Map<string, number>)(`${logged('e2e/a.test.ts')}\t3.50\t9.00\n`);
  assert.deepEqual([...costs], [['e2e/a.test.ts', 3.5]]);
});

test('the cover is every shape a candidate runs, bought cheaply; a browser test only when nothing else runs its query', () => {
  const shapes = (readShapes as (t: string) => Map<string, Shape>)(
    shapeLog([
      ['e2e/big.test.ts', 's1'],
      ['e2e/big.test.ts', 's2'],
      ['e2e/big.test.ts', 's3'],
      ['e2e/one.test.ts', 's1'],
      ['e2e/two.test.ts', 's2'],
      ['e2e/two.test.ts', 's3'],
      ['e2e/browser/ui.test.ts', 's3'],
      ['e2e/browser/ui.test.ts', 's4'],
      ['e2e/nodb.test.ts', 's5'],
    ]),
  );
  const costs = new Map([
    ['e2e/big.test.ts', 30],
    ['e2e/one.test.ts', 2],
    ['e2e/two.test.ts', 3],
    ['e2e/browser/ui.test.ts', 1],
  ]);
  const candidates = ['e2e/big.test.ts', 'e2e/one.test.ts', 'e2e/two.test.ts', 'e2e/browser/ui.test.ts'];
  const chosen = plan(shapes, costs, candidates);
  assert.deepEqual(chosen.files, ['e2e/browser/ui.test.ts', 'e2e/one.test.ts', 'e2e/two.test.ts']);
  // s5 is run only by a file that cannot run on PostgreSQL: reported, not silently dropped.
  assert.deepEqual(chosen.orphans.map((o) => [o.shape, o.files]), [['s5', ['e2e/nodb.test.ts']]]);
});

test('a shape the SQLite lane ran and the PostgreSQL lane did not is reported with the files that ran it', () => {
  const read = readShapes as (t: string) => Map<string, Shape>;
  const onSqlite = read(shapeLog([['e2e/a.test.ts', 's1'], ['e2e/b.test.ts', 's2'], ['e2e/c.test.ts', 's2']]));
  const onPostgres = read(shapeLog([['e2e/a.test.ts', 's1']]));
  const missed = (uncoveredShapes as (a: Map<string, Shape>, b: Map<string, Shape>) => { shape: string; files: string[] }[])(onSqlite, onPostgres);
  assert.deepEqual(missed.map((m) => [m.shape, m.files]), [['s2', ['e2e/b.test.ts', 'e2e/c.test.ts']]]);
});

test('an out-of-date plan is made up for: the cheapest files that ran the missed shapes, never one PostgreSQL ran already', () => {
  const followUp = followUpFiles as (missed: { shape: string; sql: string; files: string[] }[], costs: Map<string, number>, ranOnPostgres: string[]) => string[];
  const missed = [
    { shape: 's2', sql: 'select s2', files: ['e2e/b.test.ts', 'e2e/c.test.ts'] },
    { shape: 's3', sql: 'select s3', files: ['e2e/c.test.ts', 'e2e/d.test.ts'] },
    // Ran on PostgreSQL in a planned file without this shape (a timing-dependent query): nothing to re-run.
    { shape: 's4', sql: 'select s4', files: ['e2e/a.test.ts'] },
  ];
  const costs = new Map([['e2e/b.test.ts', 1], ['e2e/c.test.ts', 3], ['e2e/d.test.ts', 1]]);
  // c runs both missed shapes for 3 CPU-s; b and d together cost 2.
  assert.deepEqual(followUp(missed, costs, ['e2e/a.test.ts']), ['e2e/b.test.ts', 'e2e/d.test.ts']);
  assert.deepEqual(followUp(missed, new Map([['e2e/b.test.ts', 5], ['e2e/c.test.ts', 3], ['e2e/d.test.ts', 5]]), ['e2e/a.test.ts']), ['e2e/c.test.ts']);
  assert.deepEqual(followUp(missed.slice(2), costs, ['e2e/a.test.ts']), []);
});
