/**
 * A sole guardian's recovery (recovery/guardianship.ts: a recovery code and the toy in hand) racing
 * the family's erasure (issue 13 item 2), on SQLite and on PostgreSQL (BURROW_TEST_PG_URL): made while
 * the erasure's transaction is open, or with the erasure committing right after the recovery's last
 * read before its own transaction, it answers 404 — not the foreign-key 500 of the recovery roster
 * meeting the deleted family — spends no recovery code, logs nothing at error level and leaves no row
 * naming the family.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  generateDeviceKeys,
  generatePairingCode,
  pairingKey,
  rosterTag,
  secureRandom,
  toBase64url,
  toyKeysTag,
  type RosterWire,
} from '@burrow/protocol';
import { createCredentials } from '../accounts/credentials.js';
import { createTelling } from '../accounts/telling.js';
import { ManualClock } from '../clock/index.js';
import { openDb, type Db } from '../db/index.js';
import { isAppError } from '../errors/index.js';
import { createMemoryMailer } from '../mail/index.js';
import { createGuardianRecovery } from '../recovery/guardianship.js';
import { createRecoveryCodes } from '../recovery/recovery-codes.js';
import { PASSWORD, deviceKeysBody, entry, expectStatus, family, pairToy, successor, type Family, type Person, type Toy } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { eraseFamilyRows } from './family.js';
import { afterNth, everyRow, selectsFrom, raceServerForFile, type RaceServer, whileHeld } from './test-support.js';

let server: TestServer;
let call: Call;
let errors: string[];
let logger: RaceServer['logger'];
raceServerForFile((race) => ({ server, call, errors, logger } = race));

/**
 * A sole guardian (her recovery codes kept) whose family has a toy; she lost her device, signed in on
 * a new one, and the toy shows a pairing code: everything a recovery needs, its body ready.
 */
async function recoverable(): Promise<{ fam: Family; toy: Toy; codes: string[]; as: { token: string; device: string }; deviceId: string; body: { recoveryCode: string; lookup: string; roster: RosterWire; rosterTag: string } }> {
  const email = `sole-${randomBytes(4).toString('hex')}@example.com`;
  const signUp = await call<{ accountId: string; token: string; recoveryCodes: string[] }>('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  expectStatus(signUp, 201, 'signUp');
  const { accountId, token, recoveryCodes } = signUp.json;
  const keys = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/devices', { token, body: deviceKeysBody(keys, 'device') }), 201, 'registerDevice');
  const guardian: Person = { email, accountId, token, keys, as: { token, device: keys.deviceId } };
  const fam = await family(call, guardian);
  const toy = await pairToy(call, fam);
  await server.services.activity.flush();
  // The new device, and the toy's code: the roster keeps the toy and seats only the new device.
  const fresh = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/devices', { token, body: deviceKeysBody(fresh, 'device') }), 201, 'registerDevice');
  const code = generatePairingCode(secureRandom);
  const key = pairingKey(code);
  const keysTag = toyKeysTag(key, { toyId: toy.keys.deviceId, signPublicKey: toBase64url(toy.keys.signPublicKey), kemPublicKey: toBase64url(toy.keys.kemPublicKey) });
  expectStatus(await call('POST', '/v1/toys/me/pairing', { ...toy.as, body: { lookup: code.lookup, keysTag } }), 201, 'openPairing');
  const roster = successor(fam.roster, [entry(fresh, 'guardian'), ...fam.roster.devices.filter((d) => d.role === 'toy')], fresh);
  return {
    fam,
    toy,
    codes: recoveryCodes,
    as: { token, device: fresh.deviceId },
    deviceId: fresh.deviceId,
    body: { recoveryCode: recoveryCodes[0]!, lookup: code.lookup, roster, rosterTag: rosterTag(key, toy.keys.deviceId, roster) },
  };
}

/** How many of the account's recovery codes are unused (the test's instrument: a refused recovery spends none). */
async function unusedCodes(accountId: string): Promise<number> {
  const rows = await server.db.selectFrom('recovery_codes').select('code_hash').where('account_id', '=', accountId).where('used_at', 'is', null).execute();
  return rows.length;
}

test("a guardian's recovery made while the family is being erased answers 404, spends no code, logs no error and leaves nothing", async () => {
  const r = await recoverable();
  const before = await unusedCodes(r.fam.guardian.accountId);
  const { answers: { recovered } } = await whileHeld(server, (trx) => eraseFamilyRows(trx, r.fam.familyId), {
    recovered: () => call('POST', `/v1/families/${r.fam.familyId}/guardian-recovery`, { ...r.as, body: r.body }),
  });
  assert.equal(recovered.status, 404, recovered.text);
  assert.equal(await unusedCodes(r.fam.guardian.accountId), before, 'no recovery code spent');
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(r.fam.familyId), 'a row still names the erased family');
});

test("a guardian's recovery whose last read came just before the erasure committed is a 404, not a foreign-key error, and spends no code", async () => {
  const r = await recoverable();
  const before = await unusedCodes(r.fam.guardian.accountId);
  // The erasure commits, on a connection of its own (another node's, or `burrow` on the same SQLite
  // file), right after the recovery's last read before its transaction: the roster's consent check.
  const other = openDb(server.config.database);
  try {
    const db: Db = server.db.withPlugin(
      afterNth(selectsFrom('join_requests'), 1, async () => {
        await other.db.transaction().execute((trx) => eraseFamilyRows(trx, r.fam.familyId));
      }),
    );
    const clock = new ManualClock(Date.now());
    const credentials = createCredentials({ config: server.config, db, clock, log: logger });
    const recovery = createGuardianRecovery({
      db,
      bus: server.bus,
      clock,
      log: logger,
      codes: createRecoveryCodes({ db, clock, pepper: credentials.pepper }),
      credentials,
      tell: createTelling({ db, clock, log: logger, mailer: createMemoryMailer(), emails: server.services.emails }),
    });
    const outcome = await recovery
      .recoverGuardian({ accountId: r.fam.guardian.accountId, deviceId: r.deviceId }, r.fam.familyId, r.body, { ip: '127.0.0.1', userAgent: null })
      .then(
        () => 'recovered',
        (err: unknown) => (isAppError(err, 'not_found') ? '404' : String(err)),
      );
    assert.equal(outcome, '404');
  } finally {
    await other.db.destroy();
  }
  assert.equal(await unusedCodes(r.fam.guardian.accountId), before, 'no recovery code spent');
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(r.fam.familyId), 'a row still names the erased family');
});
