/**
 * Two co-guardians deleting their accounts at the same moment (issue 13 item 2, the last-guardian
 * rule), on SQLite and on PostgreSQL (BURROW_TEST_PG_URL). A family always keeps a guardian: the
 * second deletion answers 409 last_guardian, whether it read the guardians before the first one
 * committed (PostgreSQL: the check is made again under the family's lock) or after (SQLite: it waits
 * for the one connection). Before the check was made inside the transaction, on PostgreSQL both
 * deletions answered 204 and the family was left with no guardian.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardiansOf } from '../families/store.js';
import { PASSWORD, entry, expectStatus, family, person, publish } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { eraseAccountRows } from './account.js';
import { raceServerForFile, whileHeld } from './test-support.js';

let server: TestServer;
let call: Call;
let errors: string[];
raceServerForFile((race) => ({ server, call, errors } = race));

test('of two co-guardians deleting their accounts at once, the second is told it is the last guardian (409) and the family keeps it', async () => {
  const fam = await family(call);
  const dad = await person(call, 'dad');
  const roster = await publish(call, fam, [...fam.roster.devices, entry(dad.keys, 'guardian')]);
  const mum = fam.guardian;
  // Mum's deletion holds its transaction open; Dad's is asked meanwhile.
  const { statuses, answers, bodies } = await whileHeld(
    server,
    (trx) => eraseAccountRows(trx, server.services.emails, { accountId: mum.accountId, email: mum.email, devices: [mum.keys.deviceId], rosters: [roster] }),
    { dad: () => call('POST', '/v1/me/deletion', { token: dad.token, body: { password: PASSWORD } }) },
  );
  assert.deepEqual(statuses, { dad: 409 }, bodies);
  assert.match(answers.dad.text, /last_guardian/);
  assert.deepEqual(await guardiansOf(server.db, fam.familyId), [dad.accountId], 'the family keeps Dad as its guardian');
  expectStatus(await call('GET', '/v1/me', { token: dad.token }), 200, 'Dad’s account is still there');
  expectStatus(await call('GET', '/v1/me', { token: mum.token }), 401, 'Mum’s account is gone');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});
