import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { readKeyFile, writeKeyFile } from './blocklist-cache.js';
import { SortedKeys } from './blocklist-keys.js';
import { blocklistSources, loadBlocklist, mergeSources } from './blocklist.js';

test('sorted keys find exactly the keys they were made of, in any script', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ unit: 'binary', minLength: 0, maxLength: 12 }).filter((s) => !s.includes('\n')), { maxLength: 60 }),
      fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 20 }),
      (keys, others) => {
        const sorted = SortedKeys.fromKeys(keys);
        assert.equal(sorted.size, keys.length);
        for (const key of keys) assert.ok(sorted.has(key), JSON.stringify(key));
        for (const other of others) assert.equal(sorted.has(other), keys.includes(other), JSON.stringify(other));
      },
    ),
  );
  const empty = SortedKeys.fromKeys([]);
  assert.equal(empty.size, 0);
  assert.equal(empty.has(''), false);
});

test('a key file reads back as written; a torn, altered or missing one reads as nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'burrow-keyfile-'));
  try {
    const file = { folder, name: 'k.keys' };
    assert.equal(await readKeyFile(file), undefined);
    const keys = SortedKeys.fromKeys(['grandma1234', 'hedgehog99', 'ночьулица', '🦔🦔🦔🦔🦔🦔🦔🦔']);
    await writeKeyFile(file, keys);
    assert.deepEqual(readdirSync(folder), ['k.keys'], 'no temporary file is left behind');
    const back = await readKeyFile(file);
    assert.ok(back, 'written keys read back');
    assert.ok(back.text.equals(keys.text));
    assert.ok(back.has('ночьулица') && !back.has('ночь'));
    const written = readFileSync(join(folder, 'k.keys'));
    const altered = Buffer.from(written);
    altered.writeUInt8(altered.readUInt8(altered.length - 3) ^ 1, altered.length - 3);
    writeFileSync(join(folder, 'k.keys'), altered);
    assert.equal(await readKeyFile(file), undefined, 'a changed byte fails the check');
    writeFileSync(join(folder, 'k.keys'), written.subarray(0, written.length - 5));
    assert.equal(await readKeyFile(file), undefined, 'a torn file fails the check');
    // A folder that cannot be made is no error (the keys stay in memory): here a file is in the way.
    writeFileSync(join(folder, 'blocker'), '');
    await writeKeyFile({ folder: join(folder, 'blocker', 'sub'), name: 'k.keys' }, keys);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the kept key file holds exactly the keys built from the shipped lists', async () => {
  const list = await loadBlocklist();
  const { fxaText, keyFile } = await blocklistSources();
  assert.ok(keyFile, 'the lists are inside node_modules');
  const kept = await readKeyFile(keyFile);
  assert.ok(kept, 'loading the blocklist leaves its key file');
  const built = SortedKeys.fromKeys(mergeSources(fxaText.toString('utf8')));
  assert.ok(kept.text.equals(built.text), 'the key file matches its sources byte for byte');
  assert.equal(list.size, built.size);
  assert.ok(list.has('PassWord123') && list.has('password123'));
});
