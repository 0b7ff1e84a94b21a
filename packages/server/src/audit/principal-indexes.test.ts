/**
 * Incident queries by session, device and address use an index (issue #12 item 5): the plan of
 * familiesReachedBy names the (principal, at) index on SQLite and on PostgreSQL, rather than a scan
 * of the audit window. PostgreSQL is asked with sequential scans discouraged, so the plan shows
 * which index it would take on a big table rather than what is cheapest for a few thousand rows.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import { planOf } from '../testing/query-plan.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { familiesReachedByQuery, type AuditPrincipal } from './queries.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  const event = (i: number) => ({
    at: 1_000_000 + i,
    action: 'list_messages',
    status: 200,
    account_id: null,
    device_id: `dev-${String(i % 97)}`,
    session_ref: `s-${String(i % 89)}`,
    ip: `10.0.${String(i % 83)}.1`,
    family_id: `fam-${String(i % 7)}`,
    resource: null,
  });
  for (let start = 0; start < 3000; start += 500)
    await server.db.insertInto('audit_events').values(Array.from({ length: 500 }, (_, i) => event(start + i))).execute();
  if (server.dialect === 'postgres') await sql`analyze audit_events`.execute(server.db);
});
after(async () => {
  await server.close();
});

const plan = (who: AuditPrincipal): Promise<string> =>
  planOf(server.db, server.dialect, familiesReachedByQuery(server.db, who, { from: 1_000_000, to: 1_002_000 }).compile());

for (const [kind, value, index] of [
  ['session', 's-5', 'audit_events_session_at'],
  ['device', 'dev-5', 'audit_events_device_at'],
  ['ip', '10.0.5.1', 'audit_events_ip_at'],
] as const)
  test(`families reached by a ${kind}: the query reads ${index}`, async () => {
    const p = await plan({ kind, value });
    assert.match(p, new RegExp(index), p);
  });
