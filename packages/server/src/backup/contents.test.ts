/**
 * contents.age as a stream (contents.ts): what it holds comes back in order, a list cut short or
 * out of order is refused, and neither side holds more than a buffer of it, whatever the number of
 * blobs (checked on the code path with counting streams, not by timing or by a big backup).
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { ContentsWriter, readContents } from './contents.js';
import { BackupError, FORMAT, packName, type BlobEntry, type InnerManifestV1 } from './format.js';
import { readSmall } from './streams.js';

const database = { file: 'database.age', size: 1234, sha256: 'd'.repeat(64) };
/** Blob entry `i` of a backup whose packs hold 1,000 blobs of 100 bytes each. */
const entry = (i: number): BlobEntry => ({
  key: `family-${String(i % 97)}/${String(i).padStart(43, 'h')}`,
  size: 100,
  sha256: String(i).padStart(64, '0'),
  pack: packName(1 + Math.floor(i / 1000)),
  offset: (i % 1000) * 100,
});

/** Writes `n` entries (and one missing blob) through a ContentsWriter; returns the text. */
async function written(n: number): Promise<Buffer> {
  const out = new PassThrough();
  const text = readSmall(out);
  const writer = new ContentsWriter(out, new Promise(() => undefined), database);
  for (let i = 0; i < n; i++) await writer.blob(entry(i));
  await writer.missingBlob('family-1/gone');
  await writer.end();
  return text;
}

const lines = (text: string): Readable => Readable.from([Buffer.from(text)]);
const all = async (blobs: AsyncIterable<BlobEntry>): Promise<BlobEntry[]> => {
  const got: BlobEntry[] = [];
  for await (const b of blobs) got.push(b);
  return got;
};

test('what the writer wrote reads back: the database entry, then every blob entry in order', async () => {
  const text = await written(2500);
  assert.match(text.toString('utf8').split('\n')[0] ?? '', new RegExp(`^\\{"format":"${FORMAT}"`));
  const contents = await readContents(Readable.from([text]), FORMAT);
  assert.deepEqual(contents.database, database);
  assert.deepEqual(await all(contents.blobs), Array.from({ length: 2500 }, (_, i) => entry(i)));
});

test('a burrow-backup/1 document reads back too, grouped by pack and by offset as /1 readers did', async () => {
  const entries = [entry(1500), entry(3), entry(1499), entry(0)];
  const v1: InnerManifestV1 = { format: 'burrow-backup/1', database, blobs: entries, missingBlobs: [] };
  const contents = await readContents(Readable.from([Buffer.from(JSON.stringify(v1))]), 'burrow-backup/1');
  assert.deepEqual(contents.database, database);
  assert.deepEqual(await all(contents.blobs), [entry(1499), entry(1500), entry(0), entry(3)]);
});

test('a list cut short, out of order, miscounted or going on past its end is refused', async () => {
  const text = (await written(10)).toString('utf8');
  const rows = text.trimEnd().split('\n');
  const refused = async (changed: string[], message: RegExp): Promise<void> => {
    const contents = await readContents(lines(`${changed.join('\n')}\n`), FORMAT);
    await assert.rejects(all(contents.blobs), (e: unknown) => e instanceof BackupError && message.test(e.message));
  };
  await refused(rows.slice(0, -1), /ends before its end line/);
  await refused([rows[0] ?? '', rows[2] ?? '', rows[1] ?? '', ...rows.slice(3)], /out of order/);
  await refused([...rows.slice(0, 3), ...rows.slice(4)], /does not hold the entries its end line counts/);
  await refused([...rows, rows[1] ?? ''], /goes on after its end line/);
  await assert.rejects(readContents(lines(rows.slice(1).join('\n')), FORMAT), /does not start with a burrow-backup\/2 header/);
});

test('the reader holds one line at a time: 100,000 entries are read at most a chunk ahead of the entry in hand', async () => {
  const N = 100_000;
  let pulled = 0;
  // Made as it is read, 16 KiB at a time, counting what the reader took.
  const source = Readable.from(
    (function* () {
      let buffered = `${JSON.stringify({ format: FORMAT, database })}\n`;
      for (let i = 0; i < N; i++) {
        buffered += `${JSON.stringify({ blob: entry(i) })}\n`;
        if (buffered.length >= 16 * 1024) {
          pulled += buffered.length;
          yield Buffer.from(buffered);
          buffered = '';
        }
      }
      buffered += `${JSON.stringify({ end: { blobs: N, missing: 0 } })}\n`;
      pulled += buffered.length;
      yield Buffer.from(buffered);
    })(),
    { objectMode: false, highWaterMark: 16 * 1024 },
  );
  const contents = await readContents(source, FORMAT);
  let consumed = `${JSON.stringify({ format: FORMAT, database })}\n`.length;
  let furthest = 0;
  let n = 0;
  for await (const b of contents.blobs) {
    consumed += `${JSON.stringify({ blob: b })}\n`.length;
    furthest = Math.max(furthest, pulled - consumed);
    n++;
  }
  assert.equal(n, N);
  assert.ok(pulled > 15 * 1024 * 1024, `${String(pulled)} bytes of entries`);
  // The stream's own buffer (16 KiB) and the chunk being cut, and no more: not the 16 MB list.
  assert.ok(furthest < 64 * 1024, `read ${String(furthest)} bytes ahead of the entry in hand`);
});

test('the writer holds at most a batch: entries are passed on 64 KiB at a time, and it waits while its output is full', async () => {
  let received = 0;
  let sent = 0;
  let furthest = 0;
  // A slow output (one write a turn of the event loop) with a 16 KiB buffer.
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      received += chunk.length;
      setImmediate(done);
    },
  });
  const writer = new ContentsWriter(out, new Promise(() => undefined), database);
  sent += `${JSON.stringify({ format: FORMAT, database })}\n`.length;
  for (let i = 0; i < 50_000; i++) {
    await writer.blob(entry(i));
    sent += `${JSON.stringify({ blob: entry(i) })}\n`.length;
    furthest = Math.max(furthest, sent - received);
  }
  await writer.end();
  assert.ok(sent > 7 * 1024 * 1024);
  // A 64 KiB batch and the output's 16 KiB buffer, and no more: not the 7 MB list.
  assert.ok(furthest < 96 * 1024, `${String(furthest)} bytes written and not yet taken by the output`);
});

test('a writer waiting for room fails with the encryption instead of waiting forever', async () => {
  const stuck = new Writable({ highWaterMark: 1, write: () => undefined }); // never takes a chunk
  let fail: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const writer = new ContentsWriter(stuck, failed, database);
  const waiting = writer.end(); // writes at once, and waits for room
  fail(new BackupError('disk full'));
  await assert.rejects(waiting, /disk full/);
});
