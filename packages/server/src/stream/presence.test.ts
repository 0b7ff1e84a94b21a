/**
 * Presence across nodes without a write per toy per interval (stream/presence.ts): a node writes a
 * toy's row only when its stream opens or closes, and refreshes one liveness record of its own each
 * interval; any node reads the same answer; a dead node's toys go offline (at once for readers, and
 * recorded with a presence event by the next live node's sweep); a node that stops drops its toys.
 * Two trackers on one real database are two nodes; the clock is a ManualClock, the interval is run
 * by calling tick(), so nothing here waits on time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { ManualClock } from '../clock/index.js';
import type { StreamEvent } from '../bus/index.js';
import { topics } from '../bus/index.js';
import { family, pairToy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import {
  createPresenceTracker,
  NODE_DEAD_AFTER_MS,
  PING_INTERVAL_MS,
  readPresence,
  type PresenceTracker,
} from './presence.js';

let server: TestServer;
let call: Call;
const clock = new ManualClock(Date.now());
const quiet = { warn: () => undefined };
const trackers: PresenceTracker[] = [];

before(async () => {
  // The server keeps the system clock: its own stream node then never looks dead to it on this
  // file's clock, which only moves forward from now, so only this file's trackers sweep.
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  for (const t of trackers) await t.stop();
  await server.close();
});

/** Counts the database writes (insert, update, delete) a tracker issues, per table. */
class WriteCounter implements KyselyPlugin {
  readonly writes = new Map<string, number>();
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (
      node.kind === 'InsertQueryNode' ||
      node.kind === 'UpdateQueryNode' ||
      node.kind === 'DeleteQueryNode'
    ) {
      const table = /"kind":"TableNode".*?"name":"([a-z_]+)"/.exec(JSON.stringify(node))?.[1] ?? '?';
      const key = `${node.kind === 'InsertQueryNode' ? 'insert' : node.kind === 'UpdateQueryNode' ? 'update' : 'delete'} ${table}`;
      this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    }
    return node;
  }
  transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(result);
  }
}

function node(counter?: WriteCounter): PresenceTracker {
  const db = counter ? server.db.withPlugin(counter) : server.db;
  const t = createPresenceTracker({ db, bus: server.bus, clock, log: quiet, intervalMs: 0 });
  trackers.push(t);
  return t;
}

async function pairedToys(n: number) {
  const fam = await family(call);
  const toys = [];
  for (let i = 0; i < n; i++) toys.push(await pairToy(call, fam));
  return { fam, toyIds: toys.map((t) => t.toyId) };
}

test('connected toys cost no write per interval: each tick writes only the node’s own liveness record', async () => {
  const { fam, toyIds } = await pairedToys(3);
  const counter = new WriteCounter();
  const a = node(counter);
  for (const id of toyIds) a.connected(id, fam.familyId);
  await a.settled();
  const atConnect = Object.fromEntries(counter.writes);
  for (let i = 0; i < 10; i++) {
    clock.advance(PING_INTERVAL_MS);
    await a.tick();
  }
  // Ten intervals: ten liveness writes, and not one toy_presence write after the check-ins (the
  // sweep may also delete other nodes' stale records: the test server's own node, on this clock).
  const grown = (key: string) => (counter.writes.get(key) ?? 0) - (atConnect[key] ?? 0);
  assert.ok(
    (atConnect['update toy_presence'] ?? 0) + (atConnect['insert toy_presence'] ?? 0) >= 3,
    'each toy checked in',
  );
  assert.equal(grown('update toy_presence') + grown('insert toy_presence') + grown('delete toy_presence'), 0);
  assert.equal(grown('insert stream_nodes'), 10);
  const presence = await readPresence(server.db, toyIds, clock.now());
  for (const id of toyIds) assert.deepEqual(presence.get(id), { online: true, lastSeenAt: clock.now() });
});

test('a dead node’s toys read offline on every node, and the next live node records it and tells the family', async () => {
  const { fam, toyIds } = await pairedToys(2);
  const events: StreamEvent[] = [];
  const unsubscribe = server.bus.subscribe(topics.family(fam.familyId), (e) => events.push(e));
  const a = node();
  const b = node();
  for (const id of toyIds) a.connected(id, fam.familyId);
  await a.settled();
  clock.advance(PING_INTERVAL_MS);
  await a.tick();
  const lastVouched = clock.now();
  assert.equal((await readPresence(server.db, toyIds, clock.now())).get(toyIds[0]!)?.online, true);

  // Node A dies: no more ticks, no close. Node B keeps ticking.
  clock.advance(NODE_DEAD_AFTER_MS + 1);
  const beforeSweep = await readPresence(server.db, toyIds, clock.now());
  for (const id of toyIds) assert.deepEqual(beforeSweep.get(id), { online: false, lastSeenAt: lastVouched });
  events.length = 0;
  await b.tick();
  const rows = await server.db
    .selectFrom('toy_presence')
    .select(['toy_id', 'connected', 'last_seen_at'])
    .where('toy_id', 'in', toyIds)
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.connected, Number(r.last_seen_at)]),
    [
      [0, lastVouched],
      [0, lastVouched],
    ],
  );
  const told = events
    .filter((e) => e.type === 'presence')
    // Code-unit order, as [...toyIds].sort() below (localeCompare puts '_' before letters, sort() after).
    .sort((x, y) => (String(x.toyId) < String(y.toyId) ? -1 : 1));
  assert.deepEqual(
    told,
    [...toyIds].sort().map((toyId) => ({ type: 'presence', toyId, online: false, lastSeenAt: lastVouched })),
  );
  const nodes = await server.db.selectFrom('stream_nodes').select('node_id').execute();
  assert.ok(!nodes.some((n) => n.node_id === a.nodeId), 'the dead node is forgotten');
  unsubscribe();
});

test('a toy that reconnected through another node stays online when the old node sees its socket close', async () => {
  const { fam, toyIds } = await pairedToys(1);
  const toyId = toyIds[0]!;
  const a = node();
  const b = node();
  a.connected(toyId, fam.familyId);
  await a.settled();
  b.connected(toyId, fam.familyId);
  await b.settled();
  a.disconnected(toyId, fam.familyId);
  await a.settled();
  assert.equal((await readPresence(server.db, [toyId], clock.now())).get(toyId)?.online, true);
  b.disconnected(toyId, fam.familyId);
  await b.settled();
  assert.deepEqual((await readPresence(server.db, [toyId], clock.now())).get(toyId), {
    online: false,
    lastSeenAt: clock.now(),
  });
});

test('a node that stops takes its toys offline at once', async () => {
  const { fam, toyIds } = await pairedToys(1);
  const toyId = toyIds[0]!;
  const a = node();
  a.connected(toyId, fam.familyId);
  await a.settled();
  assert.equal((await readPresence(server.db, [toyId], clock.now())).get(toyId)?.online, true);
  await a.stop();
  assert.equal((await readPresence(server.db, [toyId], clock.now())).get(toyId)?.online, false);
});
