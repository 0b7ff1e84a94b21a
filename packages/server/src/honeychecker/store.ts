/**
 * The honeychecker (Juels & Rivest, "Honeywords: Making Password-Cracking Detectable", 2013, §3):
 * the one place that knows which sweetword of a set is the real password, and which accounts,
 * families, messages and blobs are canaries. It is deliberately NOT the main database: its own SQLite
 * file in its own folder (default `<dataDir>-honeychecker/`, 0700; the file 0600) with its own secret
 * (`BURROW_HONEYCHECKER_SECRET`). A thief of the main database — or of its backups, which never
 * include this folder — cannot tell a decoy from a real password or a canary from a family.
 *
 * What it stores is keyed and tagged with HMAC-SHA-256 under its secret, so the file alone tells
 * nothing either:
 * - `sweetword_sets(set_key, index_tag)`: set_key = HMAC(s, "set" ‖ setId), index_tag =
 *   HMAC(s, "index" ‖ setId ‖ index). `check` recomputes the tag for the index it is given and
 *   compares in constant time; the index itself is not in the file.
 * - `canaries(canary_key, kind, sealed)`: canary_key = HMAC(s, kind ‖ id); `sealed` is the id
 *   encrypted (XChaCha20-Poly1305, key from HKDF(s)) so the server can list its canaries at start.
 *
 * The interface is asynchronous (`set`, `check`) so a later scale-out can run the honeychecker as a
 * separate service on another host; `isCanary` answers from memory (the canary list is small and
 * loaded at open) because it runs on every request.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import Database from 'libsql';

export type SweetwordVerdict = 'real' | 'decoy' | 'unknown';

/** What a canary can be. `set` is a canary account's sweetword set (checked at sign-in). */
export type CanaryKind = 'account' | 'set' | 'family' | 'device' | 'message' | 'blob';

export interface Canary {
  kind: CanaryKind;
  id: string;
}

export interface Honeychecker {
  /** Where the store lives (for doctor and logs): a file, or the service's URL (remote.ts). */
  readonly file: string;
  /** Resolves once `isCanary` and `canaries` answer from a loaded list (at once for the local store). */
  ready(): Promise<void>;
  /** Records that sweetword `index` of set `setId` is the real password (replaces an earlier record). */
  set(setId: string, index: number): Promise<void>;
  /** 'real', 'decoy' (also for -1: no sweetword matched), or 'unknown' when the set was never recorded here (store lost or replaced). */
  check(setId: string, index: number): Promise<SweetwordVerdict>;
  addCanary(canary: Canary): Promise<void>;
  /** From memory: true when `id` is a canary of `kind`. */
  isCanary(kind: CanaryKind, id: string): boolean;
  /** Every canary id of one kind, or `undefined` kind for all. */
  canaries(kind?: CanaryKind): Canary[];
  close(): void;
}

export const HONEYCHECKER_FILE = 'honeychecker.db';

export class HoneycheckerError extends Error {
  override readonly name = 'HoneycheckerError';
}

export function openHoneychecker({ dir, secret }: { dir: string; secret: string }): Honeychecker {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, HONEYCHECKER_FILE);
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    create table if not exists sweetword_sets (set_key text primary key, index_tag text not null, created_at integer not null);
    create table if not exists canaries (canary_key text primary key, kind text not null, sealed text not null, created_at integer not null);
    create table if not exists meta (name text primary key, value text not null);
  `);

  const key = Buffer.from(secret, 'utf8');
  // Hex text, not blobs: libsql 0.5 cannot bind byte arrays as parameters.
  const mac = (...parts: string[]): string => {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(`${String(Buffer.byteLength(p))}:${p}`);
    return h.digest('hex');
  };
  const same = (a: string, b: string): boolean =>
    a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
  const sealKey = hkdf(
    sha256,
    key,
    new Uint8Array(0),
    new TextEncoder().encode('burrow honeychecker seal v1'),
    32,
  );

  // A store opened with another secret would answer 'unknown' to everything, silently: refuse it.
  const check = mac('secret-check');
  const [known] = db.prepare('select value from meta where name = ?').all('secret-check') as {
    value: string;
  }[];
  if (!known) db.prepare('insert into meta (name, value) values (?, ?)').run('secret-check', check);
  else if (!same(known.value, check))
    throw new HoneycheckerError(
      `The honeychecker store ${file} was made with another secret: set BURROW_HONEYCHECKER_SECRET to the one it was made with.`,
    );

  const seal = (id: string): string => {
    const nonce = randomBytes(24);
    return Buffer.concat([
      nonce,
      xchacha20poly1305(sealKey, nonce).encrypt(new TextEncoder().encode(id)),
    ]).toString('base64');
  };
  const open = (text: string): string => {
    const sealed = Buffer.from(text, 'base64');
    return new TextDecoder().decode(
      xchacha20poly1305(sealKey, sealed.subarray(0, 24)).decrypt(sealed.subarray(24)),
    );
  };

  const memory = new Map<CanaryKind, Set<string>>();
  const remember = (c: Canary) => {
    let s = memory.get(c.kind);
    if (!s) memory.set(c.kind, (s = new Set()));
    s.add(c.id);
  };
  for (const row of db.prepare('select kind, sealed from canaries').all() as {
    kind: CanaryKind;
    sealed: string;
  }[])
    remember({ kind: row.kind, id: open(row.sealed) });

  const upsertSet = db.prepare(
    'insert into sweetword_sets (set_key, index_tag, created_at) values (?, ?, ?) on conflict (set_key) do update set index_tag = excluded.index_tag',
  );
  const getSet = db.prepare('select index_tag from sweetword_sets where set_key = ?');
  const insertCanary = db.prepare(
    'insert into canaries (canary_key, kind, sealed, created_at) values (?, ?, ?, ?) on conflict (canary_key) do nothing',
  );

  return {
    file,
    ready: () => Promise.resolve(),
    set(setId, index) {
      upsertSet.run(mac('set', setId), mac('index', setId, String(index)), Date.now());
      return Promise.resolve();
    },
    check(setId, index) {
      const [row] = getSet.all(mac('set', setId)) as { index_tag: string }[];
      if (!row) return Promise.resolve('unknown');
      return Promise.resolve(same(row.index_tag, mac('index', setId, String(index))) ? 'real' : 'decoy');
    },
    addCanary(canary) {
      insertCanary.run(mac('canary', canary.kind, canary.id), canary.kind, seal(canary.id), Date.now());
      remember(canary);
      return Promise.resolve();
    },
    isCanary: (kind, id) => memory.get(kind)?.has(id) ?? false,
    canaries(kind) {
      const out: Canary[] = [];
      for (const [k, ids] of memory)
        if (kind === undefined || k === kind) for (const id of ids) out.push({ kind: k, id });
      return out;
    },
    close: () => {
      db.close();
    },
  };
}
