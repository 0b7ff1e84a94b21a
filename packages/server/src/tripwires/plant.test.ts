/**
 * Planting when a canary account read at the start of planting is gone by the time the canary family
 * is written (a wiped or restored database, another writer): the family's devices and membership
 * must not point at the missing account (SQLite "FOREIGN KEY constraint failed", PostgreSQL 23503).
 * And planting whose lease claim fails is tried again, not left for the node's next start.
 * Runs on the test database: SQLite, or PostgreSQL with BURROW_TEST_PG_URL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { createCredentials } from '../accounts/credentials.js';
import type { Blobs } from '../blobs/index.js';
import { unrecorded } from '../db/query-shapes.js';
import { createLeases, lastClaim, onceRetryingClaim } from '../leases/index.js';
import type { App } from '../http/types.js';
import { createMailer } from '../mail/index.js';
import { startTestServer } from '../testing/start-test-server.js';
import { plantCanaries } from './plant.js';
import { createTripwires } from './service.js';

void test('a guardian account deleted between the check and the family transaction: a fresh guardian is planted, no foreign key fails', async () => {
  const server = await startTestServer({ tripwires: { canaryAccounts: 1 } });
  try {
    const tw = server.services.tripwires;
    assert.ok(tw.hasher);
    const first = await tw.planted;
    const gone = first.accounts[0]?.accountId;
    assert.ok(gone && first.family);
    // The canary family is missing (as after a partial restore); its guardian account is still there.
    await server.db.deleteFrom('families').where('id', '=', first.family.familyId).execute();
    let deleted = false;
    // The family's blob is written after the guardian was chosen and before its rows: delete the guardian then.
    const blobs: Blobs = {
      ...server.blobs,
      async put(key, bytes) {
        if (!deleted) {
          deleted = true;
          await server.db.deleteFrom('accounts').where('id', '=', gone).execute();
        }
        return server.blobs.put(key, bytes);
      },
    };
    const again = await plantCanaries({
      db: server.db,
      emails: server.services.emails,
      clock: { now: () => Date.now() },
      log: server.app.log as never,
      hasher: tw.hasher,
      honeychecker: tw.honeychecker,
      blobs,
      canaryAccounts: 1,
      domains: ['burrow.test'],
    });
    assert.ok(deleted);
    assert.ok(again.family, 'the family is planted with another guardian');
    assert.equal(again.accounts.length, 1);
    const fresh = again.accounts[0]?.accountId ?? '';
    assert.ok(tw.isCanaryAccount(fresh));
    const members = await server.db
      .selectFrom('family_members')
      .select('account_id')
      .where('family_id', '=', again.family.familyId)
      .execute();
    assert.deepEqual(members, [{ account_id: fresh }]);
    assert.ok(await server.blobs.has(again.family.blobKey));
    // Idempotent again afterwards.
    const third = await plantCanaries({
      db: server.db,
      emails: server.services.emails,
      clock: { now: () => Date.now() },
      log: server.app.log as never,
      hasher: tw.hasher,
      honeychecker: tw.honeychecker,
      blobs: server.blobs,
      canaryAccounts: 1,
      domains: ['burrow.test'],
    });
    assert.deepEqual(third, { accounts: [], family: null });
  } finally {
    await server.close();
  }
});

void test('a canary planting whose lease claim fails (scheduled_runs out of reach) is claimed again soon and then plants', async () => {
  const server = await startTestServer({ tripwires: { canaryAccounts: 1 } });
  try {
    const tw = server.services.tripwires;
    assert.ok(tw.hasher);
    const first = await tw.planted;
    assert.ok(first.family);
    // Something to plant again: the canary family is gone (as after a partial restore).
    await server.db.deleteFrom('families').where('id', '=', first.family.familyId).execute();
    // The lease table out of reach: each claim fails on the engine itself, as during an outage.
    const rename = (from: string, to: string) => unrecorded(() => sql`alter table ${sql.table(from)} rename to ${sql.table(to)}`.execute(server.db));
    await rename('scheduled_runs', 'scheduled_runs_away');
    // Eleven minutes on: the start-up planting's own claim (10 minutes) no longer holds the job.
    const later = { now: () => Date.now() + 11 * 60 * 1000 };
    const leases = createLeases({ db: server.db, clock: later, node: 'retrying-node' });
    let planted = 0;
    const plant = () => {
      planted++;
      return plantCanaries({
        db: server.db,
        emails: server.services.emails,
        clock: later,
        log: server.app.log as never,
        hasher: tw.hasher ?? assert.fail('no hasher'),
        honeychecker: tw.honeychecker,
        blobs: server.blobs,
        canaryAccounts: 1,
        domains: ['burrow.test'],
      });
    };
    const told: number[] = [];
    const claim = onceRetryingClaim(leases, 'plant-canaries', 10 * 60 * 1000, plant, { retryMs: 5, onClaimFailed: (_err, inMs) => told.push(inMs) });
    try {
      const deadline = Date.now() + 30_000;
      while (claim.failures() < 3) {
        if (Date.now() > deadline) assert.fail('three claims did not fail in time');
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(planted, 0, 'nothing is planted without a claim');
      assert.deepEqual(told.slice(0, 3), [5, 10, 20], 'each failed claim waits twice as long as the one before');
    } finally {
      await rename('scheduled_runs_away', 'scheduled_runs');
    }
    const outcome = await claim.outcome;
    assert.ok(outcome.ran, 'a retried claim succeeded');
    assert.equal(planted, 1, 'planted once');
    assert.ok(outcome.value.family, 'the missing canary family is planted again');
    assert.ok(await server.db.selectFrom('families').select('id').where('id', '=', outcome.value.family.familyId).executeTakeFirst());
    assert.equal((await lastClaim(server.db, 'plant-canaries'))?.node, 'retrying-node');
  } finally {
    await server.close();
  }
});

void test('Tripwires.register: a start-up planting whose claim fails is claimed again by itself and plants, once', async () => {
  // The server itself plants nothing (canaryAccounts 0): the tripwires below, with their own
  // honeychecker folder and one canary account, are a second node starting on the same database.
  const server = await startTestServer();
  const honeycheckerDir = mkdtempSync(join(tmpdir(), 'burrow-plant-register-'));
  const logged: { msg: string; retryInMs?: number }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as { msg: string; retryInMs?: number }) });
  const failedClaims = () => logged.filter((l) => l.msg.startsWith('tripwires: claiming the canary planting failed'));
  const rename = (from: string, to: string) => unrecorded(() => sql`alter table ${sql.table(from)} rename to ${sql.table(to)}`.execute(server.db));
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  let renamedBack = false;
  try {
    const config = Object.freeze({
      ...server.config,
      tripwires: Object.freeze({ ...server.config.tripwires, canaryAccounts: 1, honeycheckerDir }),
    });
    // Eleven minutes on: the server's own start-up claim (10 minutes) no longer holds the job.
    const later = { now: () => Date.now() + 11 * 60 * 1000 };
    const tw = createTripwires({
      config,
      db: server.db,
      clock: later,
      log,
      mailer: createMailer({ config: { ...config, mailFrom: config.accountSecurity.mailFrom }, log }),
      alerts: server.services.alerts,
      emails: server.services.emails,
    });
    // As app.ts does: the accounts' hasher is built through the tripwires' wrapper, which planting needs.
    createCredentials({ config, db: server.db, clock: later, log, wrapHasher: tw.wrapHasher, emails: server.services.emails });
    assert.ok(tw.hasher);
    let settled = false;
    void tw.planted.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The lease table out of reach on the engine itself, as during an outage, when the node starts.
    await rename('scheduled_runs', 'scheduled_runs_away');
    tw.register(app, { blobs: server.blobs, leases: createLeases({ db: server.db, clock: later, node: 'register-node' }), claimRetryMs: 5 });
    const deadline = Date.now() + 60_000;
    while (failedClaims().length < 3) {
      if (Date.now() > deadline) assert.fail(`three claims did not fail in time: ${JSON.stringify(logged.map((l) => l.msg))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(failedClaims().slice(0, 3).map((l) => l.retryInMs), [5, 10, 20], 'each failed claim is tried again, twice as late as the one before');
    assert.equal(settled, false, 'the planting still waits for a claim');
    assert.deepEqual(tw.honeychecker.canaries('account'), [], 'nothing is planted without a claim');
    await rename('scheduled_runs_away', 'scheduled_runs');
    renamedBack = true;
    const planted = await tw.planted;
    assert.equal(planted.accounts.length, 1, 'the canary account is planted');
    assert.ok(planted.family, 'and the canary family');
    assert.equal(tw.honeychecker.canaries('account').length, 1, 'once');
    assert.ok(await server.db.selectFrom('families').select('id').where('id', '=', planted.family.familyId).executeTakeFirst());
    assert.equal((await lastClaim(server.db, 'plant-canaries'))?.node, 'register-node');
  } finally {
    if (!renamedBack) await rename('scheduled_runs_away', 'scheduled_runs').catch(() => undefined);
    await app.close();
    await server.close();
    rmSync(honeycheckerDir, { recursive: true, force: true });
  }
});
