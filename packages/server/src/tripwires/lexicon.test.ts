/**
 * The decoys' lexicon is derived from the zxcvbn-ts packages once per install and read back from its
 * kept file afterwards (lexicon.ts); a file that fails its check is derived again, never trusted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, test } from 'node:test';
import { writeCheckedFileSync } from '../install-cache/index.js';
import { lexiconFile, lexiconOf, lexiconWords, wordsFromPackages } from './lexicon.js';

const folder = mkdtempSync(join(tmpdir(), 'burrow-lexicon-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const fromPackages = wordsFromPackages();

void test('the kept lexicon is the packages’ word list, and a later read takes it from the file', () => {
  const file = { folder: join(folder, 'kept'), name: 'x.words' };
  assert.deepEqual(lexiconWords(file), fromPackages);
  assert.ok(fromPackages.length > 50_000 && new Set(fromPackages).size === fromPackages.length, 'tens of thousands of distinct words');
  assert.equal(readFileSync(join(file.folder, file.name), 'utf8').split('\n').length, fromPackages.length + 1, 'a digest line, then one word a line');
  // A list kept under that name is what the next process reads, not the packages.
  writeCheckedFileSync(file, Buffer.from('alpha\nbeta\ngamma', 'utf8'));
  assert.deepEqual(lexiconWords(file), ['alpha', 'beta', 'gamma']);
});

void test('a torn or altered lexicon file is derived again from the packages and kept anew', () => {
  const file = { folder: join(folder, 'altered'), name: 'x.words' };
  writeCheckedFileSync(file, Buffer.from('alpha\nbeta', 'utf8'));
  const path = join(file.folder, file.name);
  writeFileSync(path, readFileSync(path, 'utf8').replace('beta', 'bets'));
  assert.deepEqual(lexiconWords(file), fromPackages, 'a changed byte fails the check');
  writeFileSync(path, readFileSync(path).subarray(0, 1000));
  assert.deepEqual(lexiconWords(file), fromPackages, 'a torn file fails the check');
  assert.deepEqual(lexiconWords(file), fromPackages, 'and the file was written whole again');
});

void test('the lexicon is kept in node_modules/.cache, named by the packages’ versions', () => {
  const file = lexiconFile();
  assert.ok(file);
  assert.ok(file.folder.endsWith(`${sep}node_modules${sep}.cache${sep}burrow-decoys`), file.folder);
  assert.match(file.name, /^[0-9a-f]{64}\.words$/);
});

void test('words are grouped by length in rank order, each with its rank among words of its length', () => {
  const { byLength, rank } = lexiconOf(['the', 'of', 'and', 'to', 'cat']);
  assert.deepEqual(byLength.get(3), ['the', 'and', 'cat']);
  assert.deepEqual(byLength.get(2), ['of', 'to']);
  assert.equal(rank.get('cat'), 2);
  assert.equal(rank.get('to'), 1);
});
