/**
 * Authorization on every route: a logged-out client, a guardian of another family (with a registered
 * device of her own) and a toy of another family try every operation against this family's resources.
 * Each is refused with 401/403/404 and the family's state is unchanged. A final test fails when a new
 * operation appears in the OpenAPI document without a case here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import WebSocket from 'ws';
import { ApiClient, isApiError, type FamilyDevice } from '@burrow/client';
import { peek } from '@burrow/server/testing';
import { blobHash, parseEnvelope, signFavourite, signReview, newMessageId, nextRosterBody, rosterEntry, sealEnvelope, secureRandom, signRoster, generatePairingCode, pairingKey, rosterTag, signToySettings, signSuccessionRequest, countersignSuccession, generateDeviceKeys, type RosterWire } from '@burrow/protocol';
import { audioSample, pairedFamily, PASSWORD, startWorld, type World } from './world.js';

let world: World;
let victim: Awaited<ReturnType<typeof pairedFamily>>;
let messageId: string;
let eve: FamilyDevice;
let eveToy: Awaited<ReturnType<World['toy']>>;
let pendingLookup: string;
let pendingToyId: string;
let invitationId: string;
let requestId: string;
let requesterId: string;
let reviewedMessageId: string;
/** The family's state after set-up, as its guardian's app reads it (snapshot below) and as its rows hold it (familyRows below). */
let untouched: Awaited<ReturnType<typeof snapshot>>;
let untouchedRows: Awaited<ReturnType<typeof familyRows>>;

before(async () => {
  world = await startWorld();
  victim = await pairedFamily(world);
  messageId = await victim.mum.sendVoice(victim.familyId, [victim.toyId], audioSample(4000), {});
  const eveFamily = await pairedFamily(world);
  eve = eveFamily.mum;
  eveToy = eveFamily.toy;
  // A second toy of the victim's, waiting to be claimed.
  const pending = await world.toy();
  await pending.startPairing();
  pendingLookup = pending.pairingCode!.slice(0, 6);
  pendingToyId = pending.toyId;
  // An open invitation and a pending join request in the victim family.
  invitationId = (await victim.mum.invite(victim.familyId)).invitationId;
  const relative = await world.guardian('relative');
  requestId = (await relative.requestToJoin((await victim.mum.invite(victim.familyId)).code)).requestId;
  requesterId = (await relative.api.getMe()).accountId;
  // A message waiting for a guardian's review: gran is under review on the victim's toy.
  const gran = await world.guardian('gran');
  const granRequest = await gran.requestToJoin((await victim.mum.invite(victim.familyId)).code);
  await victim.mum.approveJoinRequest(victim.familyId, granRequest.requestId, { role: 'member', sendToToy: true, hearChild: true });
  await victim.mum.setReview(victim.familyId, victim.toyId, [gran.deviceId], true);
  reviewedMessageId = await gran.sendVoice(victim.familyId, [victim.toyId], audioSample(1500), {});
  untouched = await snapshot();
  untouchedRows = await familyRows();
});
after(async () => {
  await world.close();
});

type Attacker = { name: string; api: () => ApiClient; device?: FamilyDevice };
const attackers: Attacker[] = [
  { name: 'a logged-out client', api: () => new ApiClient({ baseUrl: world.url }) },
  { name: 'a guardian of another family', api: () => new ApiClient({ baseUrl: world.url, token: eve.api.token!, deviceId: eve.deviceId }), get device() { return eve; } },
  { name: 'a guardian of another family acting as a victim device', api: () => new ApiClient({ baseUrl: world.url, token: eve.api.token!, deviceId: victim.mum.deviceId }) },
  { name: 'a toy of another family', api: () => new ApiClient({ baseUrl: world.url, token: eveToy.api.token! }) },
];

async function evilRoster(): Promise<RosterWire> {
  const current = await victim.mum.roster(victim.familyId);
  return signRoster(nextRosterBody(current, current.familyId, [...current.devices, rosterEntry(eve.keys, 'guardian', { sendToToy: true, hearChild: true })], Date.now()), eve.keys);
}

async function evilEnvelope() {
  const roster = await victim.mum.roster(victim.familyId);
  return sealEnvelope({ kind: 'voice', id: newMessageId(secureRandom), familyId: roster.familyId, sender: eve.keys, rosterVersion: roster.version, createdAt: Date.now(), recipients: [{ deviceId: victim.toy.keys.deviceId, kemPublicKey: victim.toy.keys.kemPublicKey }], meta: {}, payload: audioSample(1000), random: secureRandom });
}

/** Every operation aimed at the victim family's resources. */
const cases: Record<string, (api: ApiClient) => Promise<unknown>> = {
  getFamily: (api) => api.getFamily(victim.familyId),
  createChild: async (api) => api.createChild(victim.familyId, (await evilEnvelope()).envelope),
  replaceChildProfile: async (api) => api.replaceChildProfile(victim.familyId, victim.childId, (await evilEnvelope()).envelope),
  listRosters: (api) => api.listRosters(victim.familyId, 0),
  listKemKeys: (api) => api.listKemKeys(victim.familyId),
  // Member names (docs/protocol.md §15): an outsider neither reads the family's nor adds one.
  listMemberNames: (api) => api.listMemberNames(victim.familyId),
  putMemberName: async (api) => api.putMemberName(victim.familyId, eve.keys.deviceId, (await evilEnvelope()).envelope),
  // Retention and erasure (docs/api.md "Deleting").
  getRetention: (api) => api.request('GET', `/v1/families/${victim.familyId}/retention`),
  setRetention: (api) => api.request('PUT', `/v1/families/${victim.familyId}/retention`, { days: 1 }),
  listActivity: (api) => api.request('GET', `/v1/families/${victim.familyId}/activity`),
  getActivitySummary: (api) => api.request('GET', `/v1/families/${victim.familyId}/activity/summary-mail`),
  setActivitySummary: (api) => api.request('PUT', `/v1/families/${victim.familyId}/activity/summary-mail`, { enabled: true }),
  deleteMessage: (api) => api.request('DELETE', `/v1/messages/${messageId}`),
  deleteChild: (api) => api.deleteChild(victim.familyId, victim.childId),
  deleteFamily: (api) => api.deleteFamily(victim.familyId, { password: PASSWORD }),
  publishRoster: async (api) => api.publishRoster(victim.familyId, await evilRoster()),
  // Identity succession (docs/protocol.md §17): an outsider neither files, reads nor performs one.
  requestSuccession: (api) => api.requestSuccession(victim.familyId, signSuccessionRequest({ familyId: victim.familyId, issuedAt: Date.now() }, eve.keys, generateDeviceKeys(secureRandom))),
  listSuccessionRequests: (api) => api.listSuccessionRequests(victim.familyId),
  listSuccessions: (api) => api.listSuccessions(victim.familyId),
  publishSuccession: async (api) => {
    const request = signSuccessionRequest({ familyId: victim.familyId, issuedAt: Date.now() }, victim.mum.keys, generateDeviceKeys(secureRandom));
    const roster = await evilRoster();
    return api.publishSuccession(victim.familyId, roster, countersignSuccession(request, roster.version, eve.keys));
  },
  claimToy: async (api) => {
    const key = pairingKey(generatePairingCode(secureRandom));
    const roster = await evilRoster();
    return api.claimToy(victim.familyId, { lookup: pendingLookup, childId: victim.childId, roster, rosterTag: rosterTag(key, victim.toy.keys.deviceId, roster) });
  },
  recoverGuardian: async (api) => {
    const key = pairingKey(generatePairingCode(secureRandom));
    const roster = await evilRoster();
    return api.recoverGuardian(victim.familyId, { recoveryCode: 'zzzzz-zzzzz', lookup: pendingLookup, roster, rosterTag: rosterTag(key, victim.toy.keys.deviceId, roster) });
  },
  listRecoveryEndorsements: (api) => api.listRecoveryEndorsements(victim.familyId),
  uploadBlob: async (api) => {
    const { blob } = await evilEnvelope();
    return api.uploadBlob(victim.familyId, blobHash(blob!), blob!);
  },
  sendMessage: async (api) => {
    const { envelope, blob } = await evilEnvelope();
    await api.uploadBlob(victim.familyId, envelope.blob!.hash, blob!).catch(() => undefined);
    return api.sendMessage(victim.familyId, envelope);
  },
  downloadMessageBlob: (api) => api.downloadMessageBlob(messageId),
  sendReceipt: (api) => api.sendReceipt(messageId, 'played'),
  createInvitation: (api) => api.createInvitation(victim.familyId),
  revokeInvitation: (api) => api.revokeInvitation(victim.familyId, invitationId),
  listJoinRequests: (api) => api.listJoinRequests(victim.familyId),
  approveJoinRequest: (api) => api.approveJoinRequest(victim.familyId, requestId),
  declineJoinRequest: (api) => api.declineJoinRequest(victim.familyId, requestId),
  listPendingDevices: (api) => api.listPendingDevices(victim.familyId),
  listBlocks: (api) => api.listBlocks(victim.familyId),
  blockAccount: (api) => api.blockAccount(victim.familyId, requesterId),
  unblockAccount: (api) => api.unblockAccount(victim.familyId, requesterId),
  putToySettings: (api) => api.putToySettings(victim.familyId, victim.toyId, signToySettings({ v: 1, familyId: victim.familyId, toyId: victim.toyId, version: 99, issuedAt: Date.now(), timeZone: 'UTC', quietHours: { start: 0, end: 1439 } }, eve.keys)),
  getToySettings: (api) => api.getToySettings(victim.familyId, victim.toyId),
  listReviews: (api) => api.listReviews(victim.familyId),
  downloadReviewBlob: (api) => api.downloadReviewBlob(victim.familyId, reviewedMessageId),
  approveMessage: async (api) => {
    // The attacker signs a review of the real waiting envelope with its own key.
    const row = await world.server.db.selectFrom('messages').select('envelope').where('id', '=', reviewedMessageId).executeTakeFirstOrThrow();
    return api.approveMessage(victim.familyId, reviewedMessageId, [signReview(parseEnvelope(JSON.parse(row.envelope)), victim.toyId, eve.keys)]);
  },
  declineMessage: (api) => api.declineMessage(victim.familyId, reviewedMessageId),
  listToys: (api) => api.listToys(victim.familyId),
  renameToy: async (api) => {
    const roster = await victim.mum.roster(victim.familyId);
    const { envelope } = await sealEnvelope({ kind: 'record', id: newMessageId(secureRandom), familyId: victim.familyId, sender: eve.keys, rosterVersion: roster.version, createdAt: Date.now(), recipients: [{ deviceId: eve.deviceId, kemPublicKey: eve.keys.kemPublicKey }], meta: { toyName: 'Evil' }, random: secureRandom });
    return api.renameToy(victim.familyId, victim.toyId, envelope);
  },
  getFamilySecondFactorRequirement: (api) => api.request('GET', `/v1/families/${victim.familyId}/second-factor-requirement`),
  setFamilySecondFactorRequirement: (api) => api.request('PUT', `/v1/families/${victim.familyId}/second-factor-requirement`, { required: true }),
  getToyUpdateStatus: (api) => api.request('GET', `/v1/families/${victim.familyId}/toys/${victim.toyId}/update-status`),
  // Operator-only: no family member, toy or stranger may publish a toy update.
  uploadUpdate: (api) => api.request('POST', '/v1/updates', { bundle: 'not an operator' }),
  // Favourites (docs/protocol.md §18): an outsider neither reads the family's nor keeps one on its toy.
  listFavourites: (api) => api.listFavourites(victim.familyId),
  setFavourite: (api) => api.setFavourite(victim.familyId, signFavourite({ familyId: victim.familyId, toyId: victim.toyId, messageId, keep: true, issuedAt: Date.now() }, eve.keys)),
  listLostToys: (api) => api.listLostToys(victim.familyId),
  markToyLost: async (api) => {
    const current = await victim.mum.roster(victim.familyId);
    return api.markToyLost(victim.familyId, victim.toyId, signRoster(nextRosterBody(current, current.familyId, current.devices.filter((d) => d.id !== victim.toyId), Date.now()), eve.keys));
  },
  unpairToy: async (api) => {
    const current = await victim.mum.roster(victim.familyId);
    return api.unpairToy(victim.familyId, victim.toyId, signRoster(nextRosterBody(current, current.familyId, current.devices.filter((d) => d.id !== victim.toyId), Date.now()), eve.keys));
  },
};

async function snapshot() {
  const family = await victim.mum.api.getFamily(victim.familyId);
  const sent = await victim.mum.api.listSent(0);
  const requests = (await victim.mum.api.listJoinRequests(victim.familyId)).requests.map((r) => [r.requestId, r.status]);
  const blocks = (await victim.mum.api.listBlocks(victim.familyId)).blocks.length;
  const invitations = await world.server.db.selectFrom('invitations').select(['id', 'used_at']).where('family_id', '=', victim.familyId).orderBy('id').execute();
  const settings = (await victim.mum.api.getToySettings(victim.familyId, victim.toyId)).settings;
  const reviews = await world.server.db.selectFrom('message_reviews').select(['message_seq', 'toy_id', 'state', 'review']).where('family_id', '=', victim.familyId).orderBy('message_seq').execute();
  const reviewed = (await world.server.db.selectFrom('messages').select(['envelope', 'blob_hash']).where('id', '=', reviewedMessageId).executeTakeFirst()) ?? null;
  const toyNames = (await victim.mum.api.listToys(victim.familyId)).toys.map((t) => t.name?.id ?? null);
  const secondFactor = await victim.mum.api.request<{ required: boolean }>('GET', `/v1/families/${victim.familyId}/second-factor-requirement`);
  const favourites = (await victim.mum.api.listFavourites(victim.familyId)).favourites;
  return { favourites, secondFactor, settings, reviews, reviewed, toyNames, rosterVersion: family.roster?.version, children: family.children.length, toys: family.toys.length, receipts: sent.messages.map((m) => m.receipts.length), requests, blocks, invitations };
}

/**
 * Every table that holds this family's state, read straight from the database: all of them with a
 * family_id column, the family itself, and the rows hanging off its messages, devices and the toy
 * waiting to be claimed. Wider than what the app reads (snapshot), and about a fifth of its cost: the
 * snapshot's 12 requests were ~23 ms of CPU after each of the 212 attempts, most of the file's time.
 * Left out: audit_events, where every refusal is rightly recorded.
 */
const FAMILY_TABLES = ['families', 'family_second_factor_rules', 'devices', 'family_members', 'children', 'rosters', 'pairings', 'family_blob_usage', 'blobs', 'messages', 'invitations', 'join_requests', 'family_blocks', 'toy_settings', 'message_reviews', 'toy_names', 'member_names', 'family_retention', 'device_successions', 'lost_toys', 'recovery_endorsements', 'toy_favourites', 'message_deletions', 'activity_summaries', 'family_activity', 'family_activity_heads', 'family_inactivity'] as const;
async function familyRows(): Promise<Record<string, string[]>> {
  const { db } = world.server;
  const id = victim.familyId;
  const queries: Record<string, ReturnType<typeof sql<Record<string, unknown>>>> = {};
  for (const table of FAMILY_TABLES) queries[table] = sql`select * from ${sql.table(table)} where ${sql.ref(table === 'families' ? 'id' : 'family_id')} = ${id}`;
  queries.pending_pairing = sql`select * from pairings where toy_id = ${pendingToyId}`;
  const ofMessages = sql`(select seq from messages where family_id = ${id})`;
  queries.message_recipients = sql`select * from message_recipients where message_seq in ${ofMessages}`;
  queries.receipts = sql`select * from receipts where message_seq in ${ofMessages}`;
  queries.review_releases = sql`select * from review_releases where message_seq in ${ofMessages}`;
  queries.device_kem_keys = sql`select * from device_kem_keys where device_id in (select id from devices where family_id = ${id})`;
  const rows: Record<string, string[]> = {};
  // The activity log is written in batches after the answers (a refusal writes none): set-up's last events land now, not halfway through a test.
  await world.server.services.activity.flush();
  await peek(async () => {
    for (const [name, query] of Object.entries(queries)) {
      // Sorted, so the comparison does not lean on the engine's row order; bigint (PostgreSQL's int8) as text.
      rows[name] = (await query.execute(db)).rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort();
    }
  });
  return rows;
}

// Every attempt is refused, so the family's rows never move: those at the end of set-up (`untouchedRows`)
// are what each attempt must leave behind, so the first attempt that changed anything fails by name. What
// the guardian's app reads is compared once more after all of them (below).
for (const attacker of attackers) {
  for (const [operation, attempt] of Object.entries(cases)) {
    test(`${operation}: ${attacker.name} is refused and nothing changes`, async () => {
      await assert.rejects(attempt(attacker.api()), (e: unknown) => isApiError(e) && [401, 403, 404].includes(e.status), `${operation} was allowed`);
      assert.deepEqual(await familyRows(), untouchedRows);
    });
  }
}

test('after every refused attempt, the family reads through its guardian\'s app as it did before them', async () => {
  assert.deepEqual(await snapshot(), untouched);
});

test("another family's devices never see this family's messages in their inbox or sent list", async () => {
  for (const api of [new ApiClient({ baseUrl: world.url, token: eve.api.token!, deviceId: eve.deviceId }), new ApiClient({ baseUrl: world.url, token: eveToy.api.token! })]) {
    const inbox = await api.listMessages(0, 200);
    assert.ok(inbox.messages.every((m) => m.envelope.familyId !== victim.familyId));
    const sent = await api.listSent(0);
    assert.ok(sent.messages.every((m) => m.messageId !== messageId));
  }
});

test('logged-out clients are refused on every account- or device-scoped route', async () => {
  const anon = new ApiClient({ baseUrl: world.url });
  for (const call of [() => anon.getMe(), () => anon.logOut(), () => anon.listMessages(), () => anon.listSent(), () => anon.getToyMe(), () => anon.listToyDeletions(), () => anon.listToyFavourites(), () => anon.syncToy(), () => anon.getPairing(), () => anon.openPairing('ABCDEF', 'x'.repeat(43)), () => anon.lookupPairing(pendingLookup), () => anon.createFamily({} as RosterWire), () => anon.registerDevice({ signPublicKey: 'a', kemPublicKey: 'b', proof: 'c' }), () => anon.request('GET', '/v1/me/security'), () => anon.request('GET', '/v1/me/passkeys'), () => anon.request('POST', '/v1/me/totp'), () => anon.request('GET', '/v1/me/notices'), () => anon.request('POST', '/v1/me/recovery-codes', { password: 'x'.repeat(20) })]) {
    await assert.rejects(call(), (e: unknown) => isApiError(e) && e.status === 401);
  }
});

test("the stream refuses a logged-out client and a device that is not the caller's", async () => {
  const tryStream = (headers: Record<string, string>, device?: string) =>
    new Promise<number>((resolve) => {
      const url = new URL(world.url.replace('http', 'ws') + '/v1/stream');
      if (device) url.searchParams.set('device', device);
      const ws = new WebSocket(url, { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.on('close', (code) => resolve(code));
        setTimeout(() => resolve(200), 500);
      });
      ws.on('error', () => resolve(-1));
    });
  assert.ok([401, 4401].includes(await tryStream({})));
  assert.ok([403, 404, 4403].includes(await tryStream({ authorization: `Bearer ${eve.api.token!}` }, victim.mum.deviceId)));
});

test('every operation in the OpenAPI document is covered by an authorization case', async () => {
  const doc = (await (await fetch(`${world.url}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
  // Public by design (rate-limited), or scoped to the caller's own account, device or toy (tested above).
  // redeemInvitation: the code is the capability; anyone signed in who holds one may ask to join.
  const selfScoped = ['signUp', 'logIn', 'registerToy', 'getMe', 'logOut', 'listSessions', 'revokeSession', 'revokeOtherSessions', 'changePassword', 'resendVerification', 'verifyEmail', 'requestPasswordReset', 'resetPassword', 'registerDevice', 'createFamily', 'listMessages', 'listSent', 'getToyMe', 'getPairing', 'openPairing', 'lookupPairing', 'redeemInvitation', 'getMyToySettings', 'listReviewedMessages', 'createStreamTicket', 'stream',
    // Second factors, passkeys, security events and incident notices: the caller's own account only.
    'completeSignIn', 'secondFactorPasskeyOptions', 'completeSignInWithPasskey', 'passkeySignInOptions', 'signInWithPasskey', 'resetPasswordWithRecoveryCode', 'getSecurityStatus', 'listSecurityEvents', 'passkeyRegistrationOptions', 'registerPasskey', 'listPasskeys', 'renamePasskey', 'removePasskey', 'beginTotp', 'disableTotp', 'confirmTotp', 'renewRecoveryCodes', 'listNotices', 'markNoticeRead', 'healthz', 'readyz', 'openapi',
    // checkInvitation: public (rate-limited); says only valid, unknown or gone for a code one holds.
    'checkInvitation',
    // Toy updates: the calling toy's own newest bundle and its own update report.
    'getLatestUpdate', 'downloadUpdateBundle', 'putUpdateReport',
    // Key rotation: a device publishes only its own record (403 otherwise, e2e/key-rotation.test.ts).
    'publishKemKey',
    // Recovery endorsements: a toy signs for its own family's roster only (recovery/endorsements.ts).
    'endorseRecoveryRoster',
    // A toy's wake-up: the calling toy's own family, queues and settings, as its token names them
    // (a person's session and no credentials are 401: above and e2e/toy-sync.test.ts).
    'syncToy',
    // Deletion instructions: the calling toy's own family only (its token names it; e2e/toy-deletion.test.ts).
    'listToyDeletions',
    // Favourite instructions: the calling toy's own only (its token names it; e2e/toy-favourites.test.ts).
    'listToyFavourites',
    // Deleting one's own account: the caller's own account only, re-authenticated.
    'deleteAccount',
    // Exporting one's own data: the caller's own account only (packages/server/src/erasure/account-erasure.test.ts).
    'exportAccount'];
  const uncovered = ops.filter((o) => o && !(o in cases) && !selfScoped.includes(o));
  assert.deepEqual(uncovered, []);
});
