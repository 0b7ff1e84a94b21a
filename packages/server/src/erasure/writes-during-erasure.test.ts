/**
 * The writes of a family's everyday life racing its erasure (issue 13 item 2), played on SQLite and on
 * PostgreSQL (BURROW_TEST_PG_URL) like settings-during-erasure.test.ts: each request reaches the family
 * while the erasure's transaction is open (PostgreSQL: it waits on the erasure's locks; SQLite: on its
 * one connection), the erasure commits, and the request must answer 404 — not the foreign-key 500 a
 * write meeting the deleted family gave — log nothing at error level, and leave no row naming the family.
 *
 * The writes: a toy's name, its settings, a lost toy, a favourite, a message deletion with its signed
 * instruction, a message sent, a device succession request, pairing a toy, a join request (first
 * round); a blob uploaded and a toy's recovery endorsement (second round: the endorsement needs a
 * newer roster, which the first round's rosters must not meet, and the upload and the send share the
 * group commit's one transaction, where a send would wait behind the upload rather than on a lock).
 * A device succession's publication has a round of its own (the first round takes the whole pool).
 * Then the writes whose last read before they write is one of the service's own statements: the
 * erasure commits, on a connection of its own, right after that read (a FOREIGN KEY error on SQLite
 * before, as on PostgreSQL).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  endorseRecoveryRoster,
  generateDeviceKeys,
  generatePairingCode,
  pairingKey,
  rosterHash,
  rosterTag,
  secureRandom,
  signDeletion,
  signFavourite,
  signSuccessionRequest,
  successorEntry,
  countersignSuccession,
  signToySettings,
  toBase64url,
  toyKeysTag,
  type DeviceId,
  type FamilyId,
} from '@burrow/protocol';
import { deleteAccountRow } from '../accounts/store.js';
import { ManualClock } from '../clock/index.js';
import { openDb, type Db } from '../db/index.js';
import { createDevices } from '../devices/service.js';
import { createSuccessions } from '../devices/successions.js';
import { isAppError } from '../errors/index.js';
import { insertRoster } from '../families/rosters.js';
import { createFavourites } from '../favourites/service.js';
import { createInvitations } from '../invitations/service.js';
import { deleteMessage } from '../messages/deletion.js';
import { createRecoveryEndorsements } from '../recovery/endorsements.js';
import { createToys } from '../toys/service.js';
import {
  deviceKeysBody,
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  registerToy,
  sealedRecord,
  sealedVoice,
  successor,
  type Family,
  type Toy,
} from '../testing/fixtures.js';
import type { Answer, Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { eraseFamilyRows } from './family.js';
import { afterNth, everyRow, selectsFrom, sendVoice, raceServerForFile, type RaceServer, whileHeld } from './test-support.js';

let server: TestServer;
let call: Call;
/** Every line the server and the services under test log at error level or above. */
let errors: string[];
let logger: RaceServer['logger'];

raceServerForFile((race) => ({ server, call, errors, logger } = race));

/** `writes` while `fam`'s erasure (its toys' devices with it) is open; each write's status by name. */
async function duringErasure(fam: Family, writes: Record<string, () => Promise<Answer>>): Promise<{ statuses: Record<string, number>; bodies: string }> {
  // The setup's activity events written first: a flush waiting on the erasure would count as a write's wait.
  await server.services.activity.flush();
  return whileHeld(server, (trx) => eraseFamilyRows(trx, fam.familyId), writes);
}

test("a toy's name, settings or loss, a favourite, a deletion, a send, a succession request, a pairing and a join request made while the family is being erased answer 404, log no error and leave nothing", async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const lost = await pairToy(call, fam);
  const voice = await sendVoice(call, fam, fam.guardian, [toy.keys]);
  const messageId = voice.envelope.id;
  // A second message, sealed and uploaded, whose send comes during the erasure.
  const next = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${next.hash}`, { ...fam.guardian.as, raw: next.blob }), 201, 'upload');
  const name = await sealedRecord(fam.guardian.keys, fam.roster);
  const settings = signToySettings(
    { v: 1, familyId: fam.familyId as FamilyId, toyId: toy.toyId as DeviceId, version: 1, issuedAt: Date.now(), timeZone: 'UTC', quietHours: null },
    fam.guardian.keys,
  );
  const withoutLost = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== lost.toyId), fam.guardian.keys);
  // The guardian renews her device's identity: the new keys registered to her account first.
  const fresh = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/devices', { token: fam.guardian.token, body: deviceKeysBody(fresh, 'device') }), 201, 'registerDevice');
  const succession = signSuccessionRequest({ familyId: fam.familyId, issuedAt: Date.now() }, fam.guardian.keys, fresh);
  // A third toy waits to be paired, its window open and looked up.
  const third = await registerToy(call);
  const code = generatePairingCode(secureRandom);
  const key = pairingKey(code);
  const keysTag = toyKeysTag(key, { toyId: third.keys.deviceId, signPublicKey: toBase64url(third.keys.signPublicKey), kemPublicKey: toBase64url(third.keys.kemPublicKey) });
  expectStatus(await call('POST', '/v1/toys/me/pairing', { ...third.as, body: { lookup: code.lookup, keysTag } }), 201, 'openPairing');
  expectStatus(await call('GET', `/v1/pairing/${code.lookup}`, { token: fam.guardian.token }), 200, 'lookupPairing');
  const withThird = successor(fam.roster, [...fam.roster.devices, entry(third.keys, 'toy', { sendToToy: false, hearChild: false })], fam.guardian.keys);
  // Someone holding an invitation, about to ask to join.
  const joiner = await person(call, 'joiner');
  const invitation = await call<{ code: string }>('POST', `/v1/families/${fam.familyId}/invitations`, { token: fam.guardian.token, body: {} });
  expectStatus(invitation, 201, 'createInvitation');

  const f = `/v1/families/${fam.familyId}`;
  const { statuses, bodies } = await duringErasure(fam, {
    renameToy: () => call('PUT', `${f}/toys/${toy.toyId}/name`, { ...fam.guardian.as, body: { name } }),
    putToySettings: () => call('PUT', `${f}/toys/${toy.toyId}/settings`, { ...fam.guardian.as, body: { settings } }),
    markToyLost: () => call('POST', `${f}/toys/${lost.toyId}/lost`, { ...fam.guardian.as, body: { roster: withoutLost } }),
    setFavourite: () =>
      call('POST', `${f}/favourites`, {
        ...fam.guardian.as,
        body: { instruction: signFavourite({ familyId: fam.familyId, toyId: toy.toyId, messageId, keep: true, issuedAt: Date.now() }, fam.guardian.keys) },
      }),
    deleteMessage: () =>
      call('DELETE', `/v1/messages/${messageId}`, {
        ...fam.guardian.as,
        body: { instruction: signDeletion({ familyId: fam.familyId, messageId, issuedAt: Date.now() }, fam.guardian.keys) },
      }),
    sendMessage: () => call('POST', `${f}/messages`, { ...fam.guardian.as, body: { envelope: next.envelope } }),
    requestSuccession: () => call('POST', `${f}/succession-requests`, { ...fam.guardian.as, body: { request: succession } }),
    claimToy: () =>
      call('POST', `${f}/toys`, {
        ...fam.guardian.as,
        body: { lookup: code.lookup, childId: fam.childId, roster: withThird, rosterTag: rosterTag(key, third.keys.deviceId, withThird) },
      }),
    redeemInvitation: () => call('POST', '/v1/invitations/redeem', { token: joiner.token, body: { code: invitation.json.code } }),
  });
  assert.deepEqual(statuses, {
    renameToy: 404,
    putToySettings: 404,
    markToyLost: 404,
    setFavourite: 404,
    deleteMessage: 404,
    sendMessage: 404,
    requestSuccession: 404,
    claimToy: 404,
    redeemInvitation: 404,
  }, bodies);
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(fam.familyId), 'a row still names the erased family');
});

test("a blob upload and a toy's recovery endorsement made while the family is being erased answer 404 (the toy: its credentials went first), log no error and leave nothing", async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  // A recovery roster (a new guardian device, signed by itself) as the guardian-recovery flow
  // stores it, for the toy to endorse.
  const recovering = generateDeviceKeys(secureRandom);
  const recovery = successor(fam.roster, [...fam.roster.devices, entry(recovering, 'guardian')], recovering);
  await insertRoster(server.db, recovery, rosterHash(recovery), Date.now());
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  const { statuses, bodies } = await duringErasure(fam, {
    uploadBlob: () => call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }),
    endorseRecovery: () => call('PUT', '/v1/toys/me/recovery-endorsement', { ...toy.as, body: endorseRecoveryRoster(toy.keys, recovery) }),
  });
  // SQLite: the toy's request is read after the erasure, which deleted its credentials (401); on
  // PostgreSQL it was authenticated before the erasure committed and reaches its write.
  assert.deepEqual(statuses, { uploadBlob: 404, endorseRecovery: server.dialect === 'sqlite' ? 401 : 404 }, bodies);
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(fam.familyId), 'a row still names the erased family');
  assert.equal(await server.blobs.has(`${fam.familyId}/${voice.hash}`), false, "the upload's bytes are not kept");
});

// Alone: the server's pool (ten connections) is all taken by the first round's writes and the erasure.
test("a device succession's publication made while the family is being erased answers 404, logs no error and leaves nothing", async () => {
  const fam = await family(call);
  // The guardian renews her own device: the new keys registered, the request filed.
  const renewed = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/devices', { token: fam.guardian.token, body: deviceKeysBody(renewed, 'device') }), 201, 'registerDevice');
  const filed = signSuccessionRequest({ familyId: fam.familyId, issuedAt: Date.now() }, fam.guardian.keys, renewed);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/succession-requests`, { ...fam.guardian.as, body: { request: filed } }), 204, 'requestSuccession');
  const swapped = successor(
    fam.roster,
    fam.roster.devices.map((d) => (d.id === fam.guardian.keys.deviceId ? successorEntry(filed, d) : d)),
    fam.guardian.keys,
  );
  const succession = countersignSuccession(filed, swapped.version, fam.guardian.keys);
  const { statuses, bodies } = await duringErasure(fam, {
    publishSuccession: () => call('POST', `/v1/families/${fam.familyId}/successions`, { ...fam.guardian.as, body: { roster: swapped, succession } }),
  });
  assert.deepEqual(statuses, { publishSuccession: 404 }, bodies);
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(fam.familyId), 'a row still names the erased family');
});

// Each write's last read before it writes, where the service's own statements (not compiled ones,
// which no plugin sees: a toy's name and settings, a send, an upload) let the test stand there; the
// others are played above (PostgreSQL: 500 before).
test('a favourite, a deletion, a succession request, a pairing, a join request or an endorsement whose last read came just before the erasure committed is a 404, not a foreign-key error', async () => {
  const outcomes: string[] = [];
  const cases: {
    name: string;
    last: [table: string, nth: number];
    run: (db: Db, fam: Family, toy: Toy) => Promise<() => Promise<unknown>>;
  }[] = [
    {
      name: 'favourite',
      last: ['toy_favourites', 1],
      run: async (db, fam, toy) => {
        const voice = await sendVoice(call, fam, fam.guardian, [toy.keys]);
        const instruction = signFavourite({ familyId: fam.familyId, toyId: toy.toyId, messageId: voice.envelope.id, keep: true, issuedAt: Date.now() }, fam.guardian.keys);
        const caller = { kind: 'account' as const, accountId: fam.guardian.accountId, sessionHash: '', deviceId: fam.guardian.keys.deviceId };
        return () => createFavourites({ db, bus: server.bus, clock: new ManualClock(Date.now()) }).setFavourite(caller, fam.familyId, instruction);
      },
    },
    {
      name: 'deletion',
      last: ['message_recipients', 1],
      run: async (db, fam, toy) => {
        const { envelope } = await sendVoice(call, fam, fam.guardian, [toy.keys]);
        const instruction = signDeletion({ familyId: fam.familyId, messageId: envelope.id, issuedAt: Date.now() }, fam.guardian.keys);
        const caller = { kind: 'person' as const, accountId: fam.guardian.accountId, deviceId: fam.guardian.keys.deviceId };
        return () => deleteMessage({ db, blobs: server.blobs, bus: server.bus, log: logger, clock: new ManualClock(Date.now()) }, caller, envelope.id, instruction);
      },
    },
    {
      name: 'succession request',
      last: ['devices', 1],
      run: async (db, fam) => {
        const fresh = generateDeviceKeys(secureRandom);
        expectStatus(await call('POST', '/v1/devices', { token: fam.guardian.token, body: deviceKeysBody(fresh, 'device') }), 201, 'registerDevice');
        const request = signSuccessionRequest({ familyId: fam.familyId, issuedAt: Date.now() }, fam.guardian.keys, fresh);
        const caller = { kind: 'person' as const, accountId: fam.guardian.accountId, deviceId: fam.guardian.keys.deviceId };
        return () => createSuccessions({ db, bus: server.bus, clock: new ManualClock(Date.now()) }).request(caller, fam.familyId, request);
      },
    },
    {
      name: 'pairing',
      // The roster's consent check: its people approved to join.
      last: ['join_requests', 1],
      run: async (db, fam) => {
        const third = await registerToy(call);
        const code = generatePairingCode(secureRandom);
        const key = pairingKey(code);
        const keysTag = toyKeysTag(key, { toyId: third.keys.deviceId, signPublicKey: toBase64url(third.keys.signPublicKey), kemPublicKey: toBase64url(third.keys.kemPublicKey) });
        expectStatus(await call('POST', '/v1/toys/me/pairing', { ...third.as, body: { lookup: code.lookup, keysTag } }), 201, 'openPairing');
        const roster = successor(fam.roster, [...fam.roster.devices, entry(third.keys, 'toy', { sendToToy: false, hearChild: false })], fam.guardian.keys);
        const toys = createToys({ db, blobs: server.blobs, bus: server.bus, clock: new ManualClock(Date.now()), log: logger });
        const actor = { accountId: fam.guardian.accountId, deviceId: fam.guardian.keys.deviceId };
        return () => toys.claimToy(actor, fam.familyId, { lookup: code.lookup, childId: fam.childId, roster, rosterTag: rosterTag(key, third.keys.deviceId, roster) });
      },
    },
    {
      name: 'join request',
      last: ['join_requests', 1],
      run: async (db, fam) => {
        const joiner = await person(call, 'joiner');
        const invitation = await call<{ code: string }>('POST', `/v1/families/${fam.familyId}/invitations`, { token: fam.guardian.token, body: {} });
        expectStatus(invitation, 201, 'createInvitation');
        const invitations = createInvitations({ db, clock: new ManualClock(Date.now()), log: logger, emails: server.services.emails });
        return () => invitations.redeemInvitation(joiner.accountId, invitation.json.code);
      },
    },
    {
      name: 'endorsement',
      // The recovery roster, then the one before it.
      last: ['rosters', 2],
      run: async (db, fam, toy) => {
        const recovering = generateDeviceKeys(secureRandom);
        const recovery = successor(fam.roster, [...fam.roster.devices, entry(recovering, 'guardian')], recovering);
        await insertRoster(server.db, recovery, rosterHash(recovery), Date.now());
        const principal = { kind: 'toy' as const, toyId: toy.toyId, familyId: fam.familyId, childId: fam.childId };
        return () => createRecoveryEndorsements({ db, clock: new ManualClock(Date.now()) }).endorse(principal, endorseRecoveryRoster(toy.keys, recovery));
      },
    },
  ];
  for (const { name, last, run } of cases) {
    const fam = await family(call);
    const toy = await pairToy(call, fam);
    await server.services.activity.flush();
    // The erasure commits, on a connection of its own (another node's, or `burrow` on the same SQLite
    // file), right after the service's last read before its write.
    const other = openDb(server.config.database);
    try {
      const db: Db = server.db.withPlugin(
        afterNth(selectsFrom(last[0]), last[1], async () => {
          await other.db.transaction().execute((trx) => eraseFamilyRows(trx, fam.familyId));
        }),
      );
      const write = await run(db, fam, toy);
      outcomes.push(
        await write().then(
          () => `${name}: written`,
          (err: unknown) => `${name}: ${isAppError(err, 'not_found') ? '404' : String(err)}`,
        ),
      );
      await server.services.activity.flush();
      assert.ok(!(await everyRow(server)).includes(fam.familyId), `${name}: a row still names the erased family`);
    } finally {
      await other.db.destroy();
    }
  }
  assert.deepEqual(outcomes, cases.map((c) => `${c.name}: 404`));
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

// Account erasure (erasure/account.ts): its transaction ends with the account row (accounts/store.ts
// deleteAccountRow), whose delete the writes naming the account meet. They answer 401 (the session
// went with the account), not the foreign-key 500.
test('a join request or a new device of an account being erased answers 401, not 500, and leaves nothing of the account', async () => {
  const fam = await family(call);
  const outcomes: string[] = [];
  for (const round of ['during', 'after its last read'] as const) {
    const joiner = await person(call, 'joiner');
    const invitation = await call<{ code: string }>('POST', `/v1/families/${fam.familyId}/invitations`, { token: fam.guardian.token, body: {} });
    expectStatus(invitation, 201, 'createInvitation');
    const fresh = generateDeviceKeys(secureRandom);
    if (round === 'during') {
      const { statuses: { redeemed, registered } } = await whileHeld(server, (trx) => deleteAccountRow(trx, joiner.accountId), {
        redeemed: () => call('POST', '/v1/invitations/redeem', { token: joiner.token, body: { code: invitation.json.code } }),
        registered: () => call('POST', '/v1/devices', { token: joiner.token, body: deviceKeysBody(fresh, 'device') }),
      });
      outcomes.push(`during: join request ${redeemed}, device ${registered}`);
    } else {
      for (const [what, last] of [['join request', 'join_requests'], ['device', 'devices']] as const) {
        // Each case its own account, erased right after the write's last read.
        const who = what === 'join request' ? joiner : await person(call, 'newcomer');
        const other = openDb(server.config.database);
        try {
          const db: Db = server.db.withPlugin(
            afterNth(selectsFrom(last), 1, async () => {
              await other.db.transaction().execute((trx) => deleteAccountRow(trx, who.accountId));
            }),
          );
          const clock = new ManualClock(Date.now());
          const write =
            what === 'join request'
              ? createInvitations({ db, clock, log: logger, emails: server.services.emails }).redeemInvitation(joiner.accountId, invitation.json.code)
              : createDevices({ db, clock }).registerDevice(who.accountId, deviceKeysBody(fresh, 'device'));
          outcomes.push(await write.then(
            () => `${what}: written`,
            (err: unknown) => `${what}: ${isAppError(err, 'unauthenticated') ? '401' : String(err)}`,
          ));
        } finally {
          await other.db.destroy();
        }
        assert.ok(!(await everyRow(server)).includes(who.accountId), `${what}: a row still names the erased account`);
      }
    }
    assert.ok(!(await everyRow(server)).includes(joiner.accountId), `${round}: a row still names the erased account`);
  }
  assert.deepEqual(outcomes, ['during: join request 401, device 401', 'join request: 401', 'device: 401']);
  assert.deepEqual(errors, [], 'nothing logged at error level');
});
