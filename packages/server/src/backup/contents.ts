/**
 * contents.age, the inner manifest, as a stream (burrow-backup/2): one JSON document a line.
 *
 *   {"format":"burrow-backup/2","database":{"file":"database.age","size":…,"sha256":"…"}}
 *   {"blob":{"key":"<family>/<hash>","size":…,"sha256":"…","pack":"blobs-0001.age","offset":0}}
 *   {"missing":"<family>/<hash>"}              a blob row whose blob was gone from the store
 *   {"end":{"blobs":…,"missing":…}}            always last: the counts of the lines above it
 *
 * Blob lines come in pack order, and by offset within a pack, as the backup wrote the packs, so a
 * reader cuts each pack as it decrypts it. At 2.2 M blobs the document is about 400 MB: the
 * writer passes each line on as it is made, and the reader holds one line at a time, so neither
 * grows with the number of blobs. The end line proves the list is whole (age already refuses a
 * truncated file; this also refuses a writer that stopped half-way and still closed the file).
 */
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { BackupError, FORMAT, type BackupFormat, type BlobEntry, type DatabaseEntry, type InnerManifestV1 } from './format.js';
import { readSmall } from './streams.js';

/** The longest line a reader accepts: a blob line is about 200 bytes; anything this long is not ours. */
const MAX_LINE = 64 * 1024;

/** Lines gathered before they go to the encryption: one age chunk. */
const BATCH = 64 * 1024;

/**
 * Writes contents.age's lines into `out` (the plaintext side of its encryption) in batches of up
 * to BATCH (a line at a time made the encryption twice as slow: 10 MB in 200-byte writes took
 * 1.19 s against 0.64 s whole), waiting whenever `out` is full, so what is held stays within a
 * batch and `out`'s high-water mark. `failed` is the encryption's promise: if it fails, a write
 * waiting for room fails with it instead of waiting forever.
 */
export class ContentsWriter {
  private blobs = 0;
  private missing = 0;
  private batch = '';

  constructor(
    private readonly out: Writable,
    private readonly failed: Promise<unknown>,
    database: DatabaseEntry,
  ) {
    this.batch = `${JSON.stringify({ format: FORMAT, database })}\n`;
  }

  /** One blob, as it went into its pack. */
  async blob(entry: BlobEntry): Promise<void> {
    const { key, size, sha256, pack, offset } = entry;
    this.blobs++;
    await this.line({ blob: { key, size, sha256, pack, offset } });
  }

  /** A blob the database lists that the store no longer had. */
  async missingBlob(key: string): Promise<void> {
    this.missing++;
    await this.line({ missing: key });
  }

  /** Writes the end line and ends `out`. */
  async end(): Promise<void> {
    this.batch += `${JSON.stringify({ end: { blobs: this.blobs, missing: this.missing } })}\n`;
    await this.flush();
    this.out.end();
  }

  private async line(value: unknown): Promise<void> {
    this.batch += `${JSON.stringify(value)}\n`;
    if (this.batch.length >= BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.batch;
    this.batch = '';
    if (!this.out.write(text)) await Promise.race([once(this.out, 'drain'), this.failed]);
  }
}

/** The text of `stream`, a line at a time (a line never longer than MAX_LINE). */
async function* linesOf(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const parts = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = parts.pop() ?? '';
    if (rest.length > MAX_LINE) throw new BackupError('contents.age holds a line too long to be a blob entry.');
    yield* parts;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function parseLine(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BackupError('contents.age holds a line that is not a JSON object.');
}

function asDatabase(value: unknown): DatabaseEntry {
  const d = value as Partial<DatabaseEntry> | null;
  if (typeof d?.file !== 'string' || !isCount(d.size) || typeof d.sha256 !== 'string')
    throw new BackupError('contents.age does not describe the database file.');
  return { file: d.file, size: d.size, sha256: d.sha256 };
}

function asBlob(value: unknown): BlobEntry {
  const b = value as Partial<BlobEntry> | null;
  if (typeof b?.key !== 'string' || !isCount(b.size) || typeof b.sha256 !== 'string' || typeof b.pack !== 'string' || !isCount(b.offset))
    throw new BackupError('contents.age holds a malformed blob entry.');
  return { key: b.key, size: b.size, sha256: b.sha256, pack: b.pack, offset: b.offset };
}

/** The inner manifest as read: the database entry, and the blob entries pack by pack, by offset. */
export interface Contents {
  database: DatabaseEntry;
  /** Every blob entry, read as it is consumed (once): grouped by pack, by offset within each. */
  blobs: AsyncGenerator<BlobEntry>;
  /** Stops reading (for a caller that wanted the database entry only). */
  close(): void;
}

/**
 * Reads contents.age from its decrypted stream. A burrow-backup/1 document is read whole (that
 * format has no other way) and its entries put in the same order; a /2 stream is read line by line.
 */
export async function readContents(stream: Readable, format: BackupFormat): Promise<Contents> {
  if (format === 'burrow-backup/1') {
    const text = (await readSmall(stream)).toString('utf8');
    let inner: InnerManifestV1;
    try {
      inner = JSON.parse(text) as InnerManifestV1;
    } catch {
      throw new BackupError('contents.age is not JSON.');
    }
    if (inner === null || typeof inner !== 'object' || !Array.isArray(inner.blobs)) throw new BackupError('contents.age does not list the blobs.');
    const entries = inner.blobs.map(asBlob);
    // /1 readers grouped the entries by pack in order of first appearance, then by offset.
    const packOrder = new Map<string, number>();
    for (const e of entries) if (!packOrder.has(e.pack)) packOrder.set(e.pack, packOrder.size);
    entries.sort((a, b) => (packOrder.get(a.pack) ?? 0) - (packOrder.get(b.pack) ?? 0) || a.offset - b.offset);
    const listed = async function* (): AsyncGenerator<BlobEntry> {
      for (const entry of entries) yield await Promise.resolve(entry);
    };
    return { database: asDatabase(inner.database), blobs: listed(), close: () => undefined };
  }
  const lines = linesOf(stream);
  const first = await lines.next();
  const header = first.done ? null : parseLine(first.value);
  if (header?.format !== FORMAT) {
    stream.destroy();
    throw new BackupError(`contents.age does not start with a ${FORMAT} header.`);
  }
  return { database: asDatabase(header.database), blobs: blobLines(lines, stream), close: () => stream.destroy() };
}

/** The blob entries of a /2 stream after its header: checked for order, and for the end line's counts. */
async function* blobLines(lines: AsyncGenerator<string>, stream: Readable): AsyncGenerator<BlobEntry> {
  let blobs = 0;
  let missing = 0;
  let pack = '';
  let next = 0; // the lowest offset the next blob of `pack` may have
  try {
    for await (const text of lines) {
      const line = parseLine(text);
      if ('blob' in line) {
        const entry = asBlob(line.blob);
        // Pack names are numbered with zero padding (format.ts packName): their order is the text's.
        if (entry.pack < pack || (entry.pack === pack && entry.offset < next))
          throw new BackupError(`contents.age lists blob ${entry.key} out of order.`);
        pack = entry.pack;
        next = entry.offset + entry.size;
        blobs++;
        yield entry;
      } else if ('missing' in line) missing++;
      else if ('end' in line) {
        const end = line.end as { blobs?: unknown; missing?: unknown } | null;
        if (end?.blobs !== blobs || end.missing !== missing) throw new BackupError('contents.age does not hold the entries its end line counts.');
        if (!(await lines.next()).done) throw new BackupError('contents.age goes on after its end line.');
        return;
      } else throw new BackupError('contents.age holds a line of an unknown kind.');
    }
    throw new BackupError('contents.age ends before its end line: the backup was cut short.');
  } finally {
    stream.destroy();
  }
}
