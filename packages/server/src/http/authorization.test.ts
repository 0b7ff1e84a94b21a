/**
 * Authorization on every route: a logged-out client is refused with 401 everywhere but the three
 * public routes; a guardian of another family, her toy, and a member who is not a guardian are
 * refused on this family's resources — and the family's state is unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { generatePairingCode, secureRandom, toBase64url } from '@burrow/protocol';
import {
  PASSWORD,
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  registerToy,
  sealedRecord,
  sealedVoice,
  successor,
  type Family,
  type Person,
  type Toy,
} from '../testing/fixtures.js';
import {
  httpClient,
  type Answer,
  type Call,
  type Credentials,
  type RequestOptions,
} from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let victim: Family;
let victimToy: Toy;
let messageId: string;
let eve: Family;
let eveToy: Toy;
let grandpa: Person;
let pendingLookup: string;

before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
  victim = await family(call);
  victimToy = await pairToy(call, victim);
  grandpa = await person(call, 'grandpa');
  await publish(call, victim, [
    ...victim.roster.devices,
    entry(grandpa.keys, 'member', { sendToToy: false, hearChild: true }),
  ]);
  const voice = await sealedVoice(victim.guardian.keys, victim.roster, [
    victimToy.keys,
    victim.guardian.keys,
  ]);
  expectStatus(
    await call('PUT', `/v1/families/${victim.familyId}/blobs/${voice.hash}`, {
      ...victim.guardian.as,
      raw: voice.blob,
    }),
    201,
  );
  expectStatus(
    await call('POST', `/v1/families/${victim.familyId}/messages`, {
      ...victim.guardian.as,
      body: { envelope: voice.envelope },
    }),
    201,
  );
  messageId = voice.envelope.id;
  eve = await family(call);
  eveToy = await pairToy(call, eve);
  // A toy waiting to be claimed, so claimToy attempts reach the family checks.
  const pending = await registerToy(call);
  pendingLookup = generatePairingCode(secureRandom).lookup;
  expectStatus(
    await call('POST', '/v1/toys/me/pairing', {
      ...pending.as,
      body: { lookup: pendingLookup, keysTag: toBase64url(randomBytes(32)) },
    }),
    201,
  );
});
after(async () => {
  await server.close();
});

// Anyone may sign up, sign in, register a toy, and use the links mailed to an account.
const PUBLIC = new Set([
  'signUp',
  'logIn',
  'registerToy',
  'verifyEmail',
  'requestPasswordReset',
  'resetPassword',
  // Sign-in's second step (pending token), passkey sign-in, and reset with a recovery code.
  'completeSignIn',
  'secondFactorPasskeyOptions',
  'completeSignInWithPasskey',
  'passkeySignInOptions',
  'signInWithPasskey',
  'resetPasswordWithRecoveryCode',
  // The join page asks whether its link's code is usable before the person has an account.
  'checkInvitation',
]);

function documentedOperations(): { id: string; method: string; path: string }[] {
  const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
  return [...doc.matchAll(/^\|\s*(\w+)\s*\|\s*(GET|POST|PUT|DELETE) (\/[^\s?|]+)/gm)].map(
    ([, id, method, path]) => ({ id: id ?? '', method: method ?? '', path: path ?? '' }),
  );
}

function fill(path: string): string {
  return path
    .replace(':familyId', victim.familyId)
    .replace(':childId', victim.childId)
    .replace(':messageId', messageId)
    .replace(':lookup', pendingLookup)
    .replace(':hash', 'A'.repeat(43));
}

test('a logged-out client gets 401 on every route except sign up, log in, toy registration and mailed links', async () => {
  const ops = documentedOperations();
  assert.ok(ops.length >= 23);
  for (const op of ops) {
    if (PUBLIC.has(op.id)) continue;
    const options: RequestOptions =
      op.method === 'PUT'
        ? { raw: randomBytes(10) }
        : op.method === 'GET' || op.method === 'DELETE'
          ? {}
          : { body: {} };
    const res = await call<{ error: { code: string } }>(op.method, fill(op.path), options);
    expectStatus(res, 401, op.id);
    assert.equal(res.json.error.code, 'unauthenticated', op.id);
  }
});

/** What an attacker tries on the victim family, each with a body that passes schema validation. */
const attempts: Record<string, (who: Credentials & { keys?: Person['keys'] }) => Promise<Answer>> = {
  getFamily: (who) => call('GET', `/v1/families/${victim.familyId}`, who),
  listRosters: (who) => call('GET', `/v1/families/${victim.familyId}/rosters?after=0`, who),
  createChild: async (who) =>
    call('POST', `/v1/families/${victim.familyId}/children`, {
      ...who,
      body: { profile: await sealedRecord(who.keys ?? eve.guardian.keys, victim.roster) },
    }),
  replaceChildProfile: async (who) =>
    call('PUT', `/v1/families/${victim.familyId}/children/${victim.childId}/profile`, {
      ...who,
      body: { profile: await sealedRecord(who.keys ?? eve.guardian.keys, victim.roster) },
    }),
  putMemberName: async (who) =>
    call('PUT', `/v1/families/${victim.familyId}/member-names/${victim.guardian.keys.deviceId}`, {
      ...who,
      body: { name: await sealedRecord(who.keys ?? eve.guardian.keys, victim.roster) },
    }),
  listMemberNames: (who) => call('GET', `/v1/families/${victim.familyId}/member-names`, who),
  publishRoster: (who) =>
    call('POST', `/v1/families/${victim.familyId}/rosters`, {
      ...who,
      body: {
        roster: successor(
          victim.roster,
          [...victim.roster.devices, entry(eve.guardian.keys, 'guardian')],
          who.keys ?? eve.guardian.keys,
        ),
      },
    }),
  claimToy: (who) =>
    call('POST', `/v1/families/${victim.familyId}/toys`, {
      ...who,
      body: {
        lookup: pendingLookup,
        childId: victim.childId,
        roster: successor(victim.roster, victim.roster.devices, who.keys ?? eve.guardian.keys),
        rosterTag: toBase64url(randomBytes(32)),
      },
    }),
  uploadBlob: (who) => {
    const bytes = randomBytes(64);
    return call(
      'PUT',
      `/v1/families/${victim.familyId}/blobs/${createHash('sha256').update(bytes).digest('base64url')}`,
      { ...who, raw: bytes },
    );
  },
  sendMessage: async (who) => {
    const voice = await sealedVoice(who.keys ?? eve.guardian.keys, victim.roster, [victimToy.keys]);
    return call('POST', `/v1/families/${victim.familyId}/messages`, {
      ...who,
      body: { envelope: voice.envelope },
    });
  },
  downloadMessageBlob: (who) => call('GET', `/v1/messages/${messageId}/blob`, who),
  sendReceipt: (who) =>
    call('POST', `/v1/messages/${messageId}/receipts`, { ...who, body: { kind: 'played' } }),
  deleteMessage: (who) => call('DELETE', `/v1/messages/${messageId}`, who),
  getRetention: (who) => call('GET', `/v1/families/${victim.familyId}/retention`, who),
  setRetention: (who) => call('PUT', `/v1/families/${victim.familyId}/retention`, { ...who, body: { days: 1 } }),
  // Erasure: with the attacker's own (right) password, which proves nothing about this family.
  deleteChild: (who) => call('DELETE', `/v1/families/${victim.familyId}/children/${victim.childId}`, who),
  deleteFamily: (who) =>
    call('POST', `/v1/families/${victim.familyId}/deletion`, { ...who, body: { password: PASSWORD } }),
};

async function snapshot() {
  const count = async (
    table: 'rosters' | 'children' | 'messages' | 'receipts' | 'blobs' | 'family_members',
  ) =>
    (
      await server.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  return {
    rosters: await count('rosters'),
    children: await count('children'),
    messages: await count('messages'),
    receipts: await count('receipts'),
    blobs: await count('blobs'),
    members: await count('family_members'),
    retention: await server.db.selectFrom('family_retention').selectAll().execute(),
    memberNames: await server.db.selectFrom('member_names').selectAll().execute(),
    toy: await server.db
      .selectFrom('devices')
      .select(['family_id', 'child_id'])
      .where('id', '=', victimToy.toyId)
      .executeTakeFirstOrThrow(),
  };
}

const attackers: { name: string; who: () => Credentials & { keys?: Person['keys'] }; allowed: number[] }[] = [
  {
    name: 'a guardian of another family',
    who: () => ({ ...eve.guardian.as, keys: eve.guardian.keys }),
    allowed: [403, 404],
  },
  {
    name: 'a guardian of another family naming a victim device',
    who: () => ({
      token: eve.guardian.token,
      device: victim.guardian.keys.deviceId,
      keys: eve.guardian.keys,
    }),
    allowed: [403, 404],
  },
  { name: 'a toy of another family', who: () => ({ token: eveToy.token }), allowed: [401, 403, 404] },
];

for (const attacker of attackers) {
  test(`${attacker.name} is refused on every route of this family, and nothing changes`, async () => {
    const before = await snapshot();
    for (const [operation, attempt] of Object.entries(attempts)) {
      const res = await attempt(attacker.who());
      assert.ok(
        attacker.allowed.includes(res.status),
        `${operation}: got ${res.status} ${res.text.slice(0, 200)}`,
      );
    }
    assert.deepEqual(await snapshot(), before);
  });
}

test('a member who is not a guardian cannot add, re-seal or delete children, publish rosters, claim toys or delete the family (403)', async () => {
  const before = await snapshot();
  const who = { ...grandpa.as, keys: grandpa.keys };
  for (const operation of ['createChild', 'replaceChildProfile', 'putMemberName', 'publishRoster', 'claimToy', 'deleteChild', 'deleteFamily'] as const) {
    const res = await attempts[operation]!(who);
    assert.equal(res.status, 403, `${operation}: ${res.text}`);
  }
  // Without may-send-to-toy, grandpa cannot make the toy speak either.
  expectStatus(await attempts.sendMessage!(who), 403, 'sendMessage');
  assert.deepEqual(await snapshot(), before);
  // But he can read the family.
  expectStatus(await attempts.getFamily!(who), 200);
  expectStatus(await attempts.listRosters!(who), 200);
});

test('acting as a device of another account is 403 on device routes', async () => {
  const asVictimDevice = { token: eve.guardian.token, device: victim.guardian.keys.deviceId };
  for (const [method, path] of [
    ['GET', '/v1/inbox'],
    ['GET', '/v1/sent'],
    ['GET', `/v1/messages/${messageId}/blob`],
  ] as const) {
    expectStatus(await call(method, path, asVictimDevice), 403, path);
  }
});

test("another family's devices see nothing of this family's messages", async () => {
  for (const who of [eve.guardian.as, eveToy.as]) {
    const inbox = await call<{ messages: { envelope: { familyId: string } }[] }>(
      'GET',
      '/v1/inbox?after=0&limit=200',
      who,
    );
    expectStatus(inbox, 200);
    assert.ok(inbox.json.messages.every((m) => m.envelope.familyId !== victim.familyId));
    const sent = await call<{ messages: { messageId: string }[] }>('GET', '/v1/sent', who);
    assert.ok(sent.json.messages.every((m) => m.messageId !== messageId));
  }
});
