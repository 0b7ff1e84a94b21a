/**
 * Planting when a canary account read at the start of planting is gone by the time the canary family
 * is written (a wiped or restored database, another writer): the family's devices and membership
 * must not point at the missing account (SQLite "FOREIGN KEY constraint failed", PostgreSQL 23503).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Blobs } from '../blobs/index.js';
import { startTestServer } from '../testing/start-test-server.js';
import { plantCanaries } from './plant.js';

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
