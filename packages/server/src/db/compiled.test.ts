/**
 * Queries compiled once (compiled.ts) answer exactly what the same query built by Kysely each time
 * answers, with the arguments of each call in their places (in joins, where, limit and offset, between
 * constants the builder fixed), inside a transaction too, on SQLite and PostgreSQL. A query with an
 * `in` list (compiledInList) answers for every list length, the kept ones and the longer built ones.
 * Runs on PostgreSQL in CI too (BURROW_TEST_PG_URL): each dialect compiles its own SQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { person, type Person } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { compiledInList, compiledStatement, IN_LIST_KEPT } from './compiled.js';

let server: TestServer;
let people: Person[];

before(async () => {
  server = await startTestServer();
  const call = httpClient(server.url);
  people = [await person(call, 'a'), await person(call, 'b'), await person(call, 'c')];
});
after(async () => {
  await server.close();
});

/** A session's account and, if it is the account's person device, that device: arguments in the join and the where. */
const sessionDevice = compiledStatement(2, (db, accountId: string, deviceId: string) =>
  db
    .selectFrom('sessions')
    .leftJoin('devices', (join) => join.on('devices.id', '=', deviceId).on('devices.kind', '=', 'person').onRef('devices.account_id', '=', 'sessions.account_id'))
    .select(['sessions.account_id', 'devices.id as device_id'])
    .where('sessions.expires_at', '>', 0)
    .where('sessions.account_id', '=', accountId),
);
const devicesPage = compiledStatement(2, (db, limit: number, offset: number) =>
  db.selectFrom('devices').select('id').where('kind', '=', 'person').orderBy('id').limit(limit).offset(offset),
);
const setAgent = compiledStatement(2, (db, agent: string, accountId: string) =>
  db.updateTable('sessions').set({ user_agent: agent }).where('account_id', '=', accountId),
);

void test('each call fills its own arguments into the SQL compiled at the first, in joins, where, limit and offset', async () => {
  const { db } = server;
  for (const p of people)
    for (const device of [p.keys.deviceId, people.find((o) => o !== p)!.keys.deviceId]) {
      const built = await db
        .selectFrom('sessions')
        .leftJoin('devices', (join) => join.on('devices.id', '=', device).on('devices.kind', '=', 'person').onRef('devices.account_id', '=', 'sessions.account_id'))
        .select(['sessions.account_id', 'devices.id as device_id'])
        .where('sessions.expires_at', '>', 0)
        .where('sessions.account_id', '=', p.accountId)
        .execute();
      const kept = await sessionDevice.all(db, p.accountId, device);
      assert.deepEqual(kept, built);
      assert.equal(kept[0]?.account_id, p.accountId);
      assert.equal(kept[0]?.device_id, device === p.keys.deviceId ? device : null, 'the device only when it is the account\'s own');
    }
  assert.equal(await sessionDevice.first(db, 'no-such-account', people[0]!.keys.deviceId), undefined);

  const all = (await db.selectFrom('devices').select('id').where('kind', '=', 'person').orderBy('id').execute()).map((r) => r.id);
  assert.ok(all.length >= 3);
  for (const [limit, offset] of [[1, 0], [2, 1], [10, 2]] as const)
    assert.deepEqual((await devicesPage.all(db, limit, offset)).map((r) => r.id), all.slice(offset, offset + limit));
});

void test('a kept update reports the rows it changed, and runs inside a transaction', async () => {
  const { db } = server;
  const [a, b] = [people[0]!, people[1]!];
  assert.ok((await setAgent.run(db, 'agent-a', a.accountId)) >= 1);
  await db.transaction().execute(async (trx) => {
    assert.ok((await setAgent.run(trx, 'agent-b', b.accountId)) >= 1);
  });
  assert.equal(await setAgent.run(db, 'nobody', 'no-such-account'), 0);
  const agents = await db.selectFrom('sessions').select(['account_id', 'user_agent']).where('account_id', 'in', [a.accountId, b.accountId]).execute();
  for (const r of agents) assert.equal(r.user_agent, r.account_id === a.accountId ? 'agent-a' : 'agent-b');
});

/** Person devices among `ids` that are not `exceptId`: a list and an argument after it. */
const personDevicesAmong = compiledInList(1, (db, ids, exceptId: string) =>
  db.selectFrom('devices').select('id').where('id', 'in', ids as string[]).where('id', '!=', exceptId).where('kind', '=', 'person').orderBy('id'),
);

void test('a query with an in list answers for each list length, kept (1 to IN_LIST_KEPT) or built (longer), with its other argument in place', async () => {
  const { db } = server;
  const real = people.map((p) => p.keys.deviceId);
  const except = real[1]!;
  for (let n = 0; n <= IN_LIST_KEPT + 2; n++) {
    // Real ids first, then ids of no device: each length its own statement, the same ids at each.
    const ids = Array.from({ length: n }, (_, i) => real[i] ?? `no-such-device-${String(i)}`);
    const expected = real.slice(0, n).filter((id) => id !== except).sort();
    const kept = (await personDevicesAmong.all(db, ids, except)).map((r) => r.id);
    assert.deepEqual(kept, expected, `${String(n)} ids`);
    // Twice: the second run of a length goes through the kept statement.
    assert.deepEqual((await personDevicesAmong.all(db, ids, except)).map((r) => r.id), expected);
  }
  assert.deepEqual((await personDevicesAmong.all(db, [real[2]!, real[0]!], real[2]!)).map((r) => r.id), [real[0]], 'other ids, other exception');
});
