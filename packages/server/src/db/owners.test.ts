/**
 * Every table has one owner (STYLE.md 13): only the owning capability's store module inserts,
 * updates or deletes its rows; others call it. This test is the checked list of owners. It scans the
 * server's sources (and the benchmarks and scripts, which seed rows too) for writes — Kysely's
 * `insertInto` / `replaceInto` / `mergeInto` / `updateTable` / `deleteFrom` and raw SQL
 * `INSERT INTO` / `UPDATE … SET` / `DELETE FROM` / `TRUNCATE` — and fails on a write outside the
 * table's owner, on a write whose table it cannot read (a variable), and on a table of db/schema.ts
 * without an owner. Tests (`*.test.ts`) may write anything to set up a case; migrations are schema
 * history and are not scanned.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = join(SRC, '..', '..', '..');

/**
 * The owners, as paths under packages/server/src: a file, or a folder (ending in `/`) when a
 * capability's tables are still written from several of its files.
 */
const OWNERS: Record<string, readonly string[]> = {
  // accounts/ and its split (sessions/, second-factors/, recovery/, auth/).
  accounts: ['accounts/', 'recovery/service.ts'],
  sessions: ['sessions/store.ts', 'auth/hooks.ts'],
  account_links: ['accounts/links.ts'],
  auth_throttle: ['accounts/throttle.ts'],
  sign_in_browsers: ['accounts/store.ts'],
  security_events: ['accounts/security-events.ts'],
  passkeys: ['second-factors/passkeys.ts'],
  webauthn_challenges: ['second-factors/passkeys.ts'],
  totp_factors: ['second-factors/totp.ts'],
  pending_logins: ['second-factors/service.ts'],
  family_second_factor_rules: ['second-factors/service.ts'],
  recovery_codes: ['recovery/recovery-codes.ts'],
  // Families, their devices, toys and messages.
  devices: ['devices/store.ts'],
  families: ['families/store.ts'],
  children: ['families/store.ts'],
  rosters: ['families/store.ts'],
  family_members: ['families/store.ts'],
  pairings: ['toys/store.ts'],
  toy_settings: ['toys/store.ts'],
  toy_names: ['toys/store.ts'],
  message_deletions: ['toys/deletions.ts'],
  toy_favourites: ['favourites/store.ts'],
  lost_toys: ['toys/lost.ts'],
  recovery_endorsements: ['recovery/endorsements.ts'],
  family_inactivity: ['inactivity/store.ts'],
  activity_summaries: ['audit/activity-summary-store.ts'],
  device_successions: ['devices/successions-store.ts'],
  blobs: ['messages/store.ts'],
  family_blob_usage: ['messages/store.ts'],
  messages: ['messages/store.ts'],
  message_recipients: ['messages/store.ts'],
  receipts: ['messages/store.ts'],
  message_reviews: ['review/store.ts'],
  review_releases: ['review/store.ts'],
  invitations: ['invitations/store.ts'],
  join_requests: ['invitations/store.ts'],
  family_blocks: ['invitations/store.ts'],
  toy_presence: ['stream/presence.ts'],
  stream_nodes: ['stream/presence.ts'],
  toy_updates: ['updates/store.ts'],
  toy_update_reports: ['updates/store.ts'],
  scheduled_runs: ['leases/store.ts'],
  family_activity: ['audit/activity-store.ts'],
  member_names: ['member-names/store.ts'],
  family_activity_heads: ['audit/activity-store.ts'],
  family_retention: ['retention/store.ts'],
  device_kem_keys: ['kem-keys/store.ts'],
  stream_tickets: ['stream/tickets.ts'],
  // Breach readiness.
  incidents: ['incidents/store.ts'],
  incident_notices: ['incidents/store.ts'],
  incident_inbox: ['incidents/store.ts'],
  forced_password_resets: ['incidents/store.ts'],
  revoked_credentials: ['incidents/store.ts'],
  audit_events: ['audit/recorder.ts'],
};

/**
 * Writes outside an owner that are allowed, each with why. Keep this short: an entry is a decision
 * someone can review, not a way around the rule.
 */
const ALLOWED: readonly { file: string; table: string; why: string }[] = [
  {
    file: 'bench/backup.ts',
    table: 'audit_events',
    why: '--database-mb pads the database with 64 MB of filler per INSERT … SELECT; the rows imitate nothing and row-at-a-time through the recorder would take hours',
  },
  // The CloudPets bench's maintenance backlog (bench/cloudpets/backlog.ts): millions of rows made in the
  // database by INSERT … SELECT over a number series, so the daily jobs have the issue's backlog to clear.
  {
    file: 'bench/cloudpets/backlog.ts',
    table: 'audit_events',
    why: 'a year of audit rows (4 M at full size) for the prune to work through; through the recorder one at a time would take hours',
  },
  {
    file: 'bench/cloudpets/backlog.ts',
    table: 'sessions',
    why: 'marks 959 of 1,000 seeded sessions expired in one UPDATE, the state the issue measured',
  },
  {
    file: 'bench/cloudpets/backlog.ts',
    table: 'auth_throttle',
    why: 'old throttle rows for the expiry job, made in one INSERT … SELECT',
  },
];

/** Where rows are written from, besides the server's own sources: seeding and benchmarks. */
const ALSO_SCANNED = ['bench', 'scripts', 'e2e'];

interface Write {
  /** A table name, or null when the code names it with a variable. */
  table: string | null;
  line: number;
  text: string;
}

/** Comments are not code: drop them, keeping line numbers (a `//` inside `http://` is kept). */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[\s;{}(),])\/\/.*$/gm, (_, before: string) => before);
}

const KYSELY = /\b(insertInto|replaceInto|mergeInto|updateTable|deleteFrom)\(\s*(?:(['"`])([A-Za-z_][\w]*)(?:\s+as\s+\w+)?\2|([^\s'"`)]))/g;
const RAW = [
  /\binsert\s+(?:or\s+\w+\s+)?into\s+["`]?([a-z_]+)/gi,
  /\bupdate\s+["`]?([a-z_]+)["`]?\s+set\b/gi,
  /\bdelete\s+from\s+["`]?([a-z_]+)/gi,
  /\btruncate\s+(?:table\s+)?["`]?([a-z_]+)/gi,
];

/** The writes in one source text. Raw SQL counts only when it names a table of `tables`. */
function findWrites(source: string, tables: ReadonlySet<string>): Write[] {
  const code = withoutComments(source);
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  const writes: Write[] = [];
  for (const m of code.matchAll(KYSELY)) {
    const table = m[3] ?? null;
    writes.push({ table, line: lineOf(m.index), text: m[0].replace(/\s+/g, ' ') });
  }
  for (const pattern of RAW)
    for (const m of code.matchAll(pattern)) {
      const table = (m[1] ?? '').toLowerCase();
      if (tables.has(table)) writes.push({ table, line: lineOf(m.index), text: m[0].replace(/\s+/g, ' ') });
    }
  return writes;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    // npm test runs a compiled copy of the tree (scripts/build-tests.mjs): a .js beside its .ts is that copy.
    const compiledTwin = name.endsWith('.js') && ['.ts', '.tsx'].some((ext) => existsSync(path.replace(/\.js$/, ext)));
    return /\.(ts|tsx|mts|mjs|js)$/.test(name) && !/\.test\.[mc]?[jt]sx?$/.test(name) && !compiledTwin ? [path] : [];
  });
}

/** The tables db/schema.ts declares (the keys of its `Database` interface). */
function schemaTables(): string[] {
  const schema = readFileSync(join(SRC, 'db', 'schema.ts'), 'utf8');
  const body = /export interface Database \{([\s\S]*?)\n\}/.exec(schema)?.[1];
  assert.ok(body, 'db/schema.ts declares `export interface Database { … }`');
  return [...body.matchAll(/^\s*([a-z_]+)\s*:/gm)].map((m) => m[1] ?? '');
}

const posix = (path: string) => path.split(sep).join('/');
const isOwner = (file: string, owners: readonly string[]) =>
  owners.some((o) => (o.endsWith('/') ? file.startsWith(o) : file === o));

void test('the scanner finds Kysely writes (across lines, aliased, by variable) and raw SQL writes, and ignores comments and reads', () => {
  const tables = new Set(['devices', 'messages', 'blobs']);
  const source = [
    "await db.selectFrom('devices').selectAll().execute();",
    "// db.deleteFrom('devices') in a comment",
    "/* insert into devices (id) values (1) */",
    "await trx\n  .insertInto(\n    'messages'\n  ).values(row);",
    "await db.deleteFrom('blobs as b').where('b.hash', '=', h);",
    'await db.updateTable(table).set({ x: 1 });',
    "await sql`UPDATE devices SET kind = 'toy'`.execute(db);",
    "db.prepare('delete from blobs where hash = ?');",
    "db.prepare('insert into canaries (k) values (?)'); // another database's table",
    "const url = 'http://x'; await db.updateTable('devices').set({});",
    "throw badRequest('Update the app to send messages.');",
  ].join('\n');
  assert.deepEqual(
    findWrites(source, tables).map((w) => [w.table, w.line]),
    [
      ['messages', 5],
      ['blobs', 8],
      [null, 9],
      ['devices', 13],
      ['devices', 10],
      ['blobs', 11],
    ],
  );
});

void test('every table of db/schema.ts has an owner, and every owner exists and writes its table', () => {
  const tables = schemaTables();
  assert.ok(tables.length >= 30, 'the schema scan found the tables');
  assert.deepEqual(Object.keys(OWNERS).sort(), [...tables].sort(), 'OWNERS lists exactly the tables of db/schema.ts');
  const tableSet = new Set(tables);
  const written = new Map<string, Set<string>>();
  for (const path of sourceFiles(SRC)) {
    const file = posix(relative(SRC, path));
    if (file.startsWith('db/migrations/')) continue;
    for (const w of findWrites(readFileSync(path, 'utf8'), tableSet))
      if (w.table !== null) written.set(w.table, (written.get(w.table) ?? new Set()).add(file));
  }
  for (const [table, owners] of Object.entries(OWNERS)) {
    for (const owner of owners)
      assert.ok(existsSync(join(SRC, owner)), `${table}: its owner ${owner} exists (moved? update OWNERS in db/owners.test.ts)`);
    const writers = [...(written.get(table) ?? [])];
    assert.ok(
      writers.some((f) => isOwner(f, owners)),
      `${table}: its owner (${owners.join(', ')}) writes it — or the scanner missed the writes`,
    );
  }
});

void test('no table is written outside its owner: other capabilities, seeding and benchmarks call the owner', () => {
  const tables = new Set(schemaTables());
  const strays: string[] = [];
  const roots = [SRC, ...ALSO_SCANNED.map((d) => join(ROOT, d))];
  for (const path of roots.flatMap(sourceFiles)) {
    const inServer = posix(relative(SRC, path));
    const file = inServer.startsWith('../') ? posix(relative(ROOT, path)) : inServer;
    if (file.startsWith('db/migrations/')) continue;
    for (const w of findWrites(readFileSync(path, 'utf8'), tables)) {
      if (w.table === null) strays.push(`${file}:${String(w.line)} writes a table named by a variable: ${w.text}`);
      else if (!isOwner(file, OWNERS[w.table] ?? []) && !ALLOWED.some((x) => x.file === file && x.table === w.table))
        strays.push(`${file}:${String(w.line)} writes ${w.table}, owned by ${(OWNERS[w.table] ?? ['nobody']).join(', ')}: ${w.text}`);
    }
  }
  assert.deepEqual(strays, [], `Writes outside the owners (call the owner's store function instead):\n${strays.join('\n')}`);
});
