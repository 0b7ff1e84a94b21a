/**
 * Multi-row inserts in fixed-size chunks (chunked-insert.ts) store every row, in order, with each
 * value in its column and missing values as NULL, whatever the row count (here 0, 1 and 341 rows:
 * chunks of 256, 64, 16 and 5), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { chunkedInsert } from './chunked-insert.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

interface Event {
  at: number;
  action: string;
  status: number;
  resource?: string | null;
}

const insertEvents = chunkedInsert<Event>(['at', 'action', 'status', 'resource'], (db, rows) => db.insertInto('audit_events').values(rows));

test('every row is stored in order with its values in their columns, for 0, 1 and 341 rows (chunks of four sizes)', async () => {
  // Recent times: the audit prune the server runs at start removes rows older than its window, and
  // would race an insert of rows dated 1970 (it did on PostgreSQL in CI).
  const since = Date.now();
  const rows = (n: number, tag: string): Event[] =>
    Array.from({ length: n }, (_, i) => ({ at: since + i, action: `chunk_${tag}`, status: 200 + (i % 300), ...(i % 3 === 0 ? {} : { resource: `r-${String(i)}` }) }));
  for (const [n, tag] of [[0, 'zero'], [1, 'one'], [341, 'many']] as const) {
    await insertEvents(server.db, rows(n, tag));
    const stored = await server.db
      .selectFrom('audit_events')
      .select(['at', 'status', 'resource'])
      .where('action', '=', `chunk_${tag}`)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      stored.map((r) => [Number(r.at), r.status, r.resource]),
      rows(n, tag).map((r) => [r.at, r.status, r.resource ?? null]),
      `${String(n)} rows`,
    );
  }
});
