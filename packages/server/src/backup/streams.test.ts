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
  return { encrypter, decrypter };
}

test('a file encrypted whole, as burrow-backup/1 wrote before streaming, decrypts through the stream', async () => {
  const { encrypter, decrypter } = await keys();
  const plain = new Uint8Array(randomBytes(300_000)); // several 64 KiB chunks
  writeFileSync(join(scratch, 'old.age'), await encrypter.encrypt(plain));
  const back = await readSmall(await decryptFile(decrypter, join(scratch, 'old.age'), 'old.age'));
  assert.equal(sha256(back), sha256(plain));
});

test('a streamed file measures what went in and what was written, and decrypts whole', async () => {
  const { encrypter, decrypter } = await keys();
  const plain = Buffer.from(randomBytes(200_000));
  const path = join(scratch, 'new.age');
  const m = await encryptToFile(encrypter, Readable.from([plain.subarray(0, 70_000), plain.subarray(70_000)]), path);
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
