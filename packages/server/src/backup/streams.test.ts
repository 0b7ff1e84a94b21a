/** The streaming pieces: old whole-buffer age files still decrypt, and damage is caught mid-stream. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { Decrypter, Encrypter } from 'age-encryption';
import { BackupError, sha256 } from './format.js';
import { generateBackupIdentity } from './keys.js';
import { checking, decryptFile, drain, encryptToFile, readSmall } from './streams.js';

const scratch = mkdtempSync(join(tmpdir(), 'burrow-streams-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function keys() {
  const { identity, recipient } = await generateBackupIdentity();
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  return { encrypter, decrypter, recipient };
}

test('a file encrypted whole, as burrow-backup/1 wrote before streaming, decrypts through the stream', async () => {
  const { encrypter, decrypter } = await keys();
  const plain = new Uint8Array(randomBytes(300_000)); // several 64 KiB chunks
  writeFileSync(join(scratch, 'old.age'), await encrypter.encrypt(plain));
  const back = await readSmall(await decryptFile(decrypter, join(scratch, 'old.age'), 'old.age'));
  assert.equal(sha256(back), sha256(plain));
});

test('a streamed file measures what went in and what was written, and decrypts whole', async () => {
  const { recipient, decrypter } = await keys();
  const plain = Buffer.from(randomBytes(200_000));
  const path = join(scratch, 'new.age');
  const m = await encryptToFile(recipient, Readable.from([plain.subarray(0, 70_000), plain.subarray(70_000)]), path);
  assert.deepEqual(m.plain, { size: plain.length, sha256: sha256(plain) });
  const file = readFileSync(path);
  assert.deepEqual(m.sealed, { size: file.length, sha256: sha256(file) });
  assert.equal(sha256(await decrypter.decrypt(file)), sha256(plain));
});

test('a truncated or altered file fails as it is read, naming the file', async () => {
  const { encrypter, decrypter } = await keys();
  const sealed = await encrypter.encrypt(new Uint8Array(randomBytes(200_000)));
  writeFileSync(join(scratch, 'cut.age'), sealed.subarray(0, sealed.length - 70_000));
  await assert.rejects(drain(await decryptFile(decrypter, join(scratch, 'cut.age'), 'cut.age')), (e: unknown) => e instanceof BackupError && /cut\.age/.test(e.message));
  const altered = Buffer.from(sealed);
  altered[altered.length - 100_000] = (altered[altered.length - 100_000] ?? 0) ^ 1;
  writeFileSync(join(scratch, 'altered.age'), altered);
  await assert.rejects(drain(await decryptFile(decrypter, join(scratch, 'altered.age'), 'altered.age')), BackupError);
});

test('checking holds back the end of a stream whose hash does not match', async () => {
  const bytes = Buffer.from(randomBytes(10_000));
  const seen: Buffer[] = [];
  const checked = Readable.from([bytes.subarray(0, 4000), bytes.subarray(4000)]).pipe(checking({ size: bytes.length, sha256: sha256(Buffer.from('other')) }, 'The snapshot'));
  await assert.rejects(
    (async () => {
      for await (const chunk of checked) seen.push(chunk as Buffer);
    })(),
    /The snapshot does not match its hash/,
  );
  assert.ok(Buffer.concat(seen).length < bytes.length, 'the last chunk never went out');
});

test('the native payload is age: every size round-trips through age-encryption in both directions', async () => {
  const { encrypter, decrypter, recipient } = await keys();
  // Empty, under a chunk, exactly one and two chunks (the last chunk full), and one byte past.
  for (const size of [0, 1, 65_535, 65_536, 131_072, 131_073]) {
    const plain = Buffer.from(randomBytes(size));
    const ours = join(scratch, `ours-${String(size)}.age`);
    await encryptToFile(recipient, Readable.from(size === 0 ? [] : [plain.subarray(0, 1000), plain.subarray(1000)]), ours);
    assert.equal(sha256(await decrypter.decrypt(readFileSync(ours))), sha256(plain), `age-encryption opens ours (${String(size)} bytes)`);
    const theirs = join(scratch, `theirs-${String(size)}.age`);
    writeFileSync(theirs, await encrypter.encrypt(new Uint8Array(plain)));
    assert.equal(sha256(await readSmall(await decryptFile(decrypter, theirs, 'theirs.age'))), sha256(plain), `we open age-encryption's (${String(size)} bytes)`);
  }
});

test('a tampered, reordered or dropped chunk of a native payload is refused', async () => {
  const { recipient, decrypter } = await keys();
  const plain = Buffer.from(randomBytes(3 * 65_536 + 500));
  const path = join(scratch, 'chunks.age');
  await encryptToFile(recipient, Readable.from([plain]), path);
  const sealed = readFileSync(path);
  const payloadStart = sealed.length - (3 * (65_536 + 16) + 500 + 16);
  const chunk = (i: number): Buffer => sealed.subarray(payloadStart + i * 65_552, Math.min(sealed.length, payloadStart + (i + 1) * 65_552));
  const refused = async (name: string, bytes: Buffer): Promise<void> => {
    writeFileSync(join(scratch, name), bytes);
    await assert.rejects(drain(await decryptFile(decrypter, join(scratch, name), name)), (e: unknown) => e instanceof BackupError && e.message.includes(name), name);
  };
  const flipped = Buffer.from(sealed);
  flipped[payloadStart + 65_552 + 10] = (flipped[payloadStart + 65_552 + 10] ?? 0) ^ 1;
  await refused('flipped.age', flipped);
  await refused('swapped.age', Buffer.concat([sealed.subarray(0, payloadStart), chunk(1), chunk(0), chunk(2), chunk(3)]));
  // Cut at a chunk boundary: every chunk left authenticates, but none is flagged last.
  await refused('dropped.age', sealed.subarray(0, payloadStart + 3 * 65_552));
  // And the untouched file opens.
  assert.equal(sha256(await readSmall(await decryptFile(decrypter, path, 'chunks.age'))), sha256(plain));
});
