import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  generateDeviceKeys,
  generatePairingCode,
  makeDeviceProof,
  secureRandom,
  toBase64url,
  type RosterWire,
} from '@burrow/protocol';
import { ManualClock } from '../clock/index.js';
import {
  deviceKeysBody,
  entry,
  expectStatus,
  family,
  pairToy,
  registerToy,
  successor,
  type Family,
  type Toy,
} from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { PAIRING_WINDOW_MS } from './service.js';

let server: TestServer;
let call: Call;
const clock = new ManualClock();
before(async () => {
  server = await startTestServer({ clock });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

const tag = () => toBase64url(randomBytes(32));
const lookup = () => generatePairingCode(secureRandom).lookup;

async function open(toy: Toy, code = lookup()): Promise<string> {
  expectStatus(
    await call('POST', '/v1/toys/me/pairing', { ...toy.as, body: { lookup: code, keysTag: tag() } }),
    201,
    'openPairing',
  );
  return code;
}

function claimBody(fam: Family, toy: Toy, code: string, roster?: RosterWire) {
  return {
    lookup: code,
    childId: fam.childId,
    roster:
      roster ??
      successor(
        fam.roster,
        [...fam.roster.devices, entry(toy.keys, 'toy', { sendToToy: false, hearChild: false })],
        fam.guardian.keys,
      ),
    rosterTag: tag(),
  };
}

test('a toy registers its keys with a proof and gets a bt_ token; its id derives from its signing key', async () => {
  const keys = generateDeviceKeys(secureRandom);
  const res = await call<{ toyId: string; token: string }>('POST', '/v1/toys', {
    body: deviceKeysBody(keys, 'toy'),
  });
  expectStatus(res, 201);
  assert.equal(res.json.toyId, keys.deviceId);
  assert.match(res.json.token, /^bt_[A-Za-z0-9_-]{43}$/);
  const me = await call('GET', '/v1/toys/me', { token: res.json.token });
  assert.deepEqual(me.json, { toyId: keys.deviceId });
});

test('registering the same toy keys again is a 409 (a replayed proof gets no token)', async () => {
  const keys = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/toys', { body: deviceKeysBody(keys, 'toy') }), 201);
  expectStatus(await call('POST', '/v1/toys', { body: deviceKeysBody(keys, 'toy') }), 409);
});

test("a proof made for a person's device, or for other keys, does not register a toy", async () => {
  const keys = generateDeviceKeys(secureRandom);
  expectStatus(
    await call('POST', '/v1/toys', { body: deviceKeysBody(keys, 'device') }),
    400,
    'wrong purpose',
  );
  const other = generateDeviceKeys(secureRandom);
  expectStatus(
    await call('POST', '/v1/toys', {
      body: { ...deviceKeysBody(keys, 'toy'), proof: makeDeviceProof(other, 'toy') },
    }),
    400,
    'wrong keys',
  );
});

test('a pairing window lasts ten minutes: the guardian can look it up until then, then it is gone', async () => {
  const toy = await registerToy(call);
  const fam = await family(call);
  const code = lookup();
  const keysTag = tag();
  const opened = await call<{ expiresAt: number }>('POST', '/v1/toys/me/pairing', {
    ...toy.as,
    body: { lookup: code, keysTag },
  });
  expectStatus(opened, 201);
  assert.equal(opened.json.expiresAt, clock.now() + PAIRING_WINDOW_MS);
  assert.equal((await call<{ status: string }>('GET', '/v1/toys/me/pairing', toy.as)).json.status, 'waiting');
  const found = await call('GET', `/v1/pairing/${code}`, { token: fam.guardian.token });
  expectStatus(found, 200);
  assert.deepEqual(found.json, {
    toyId: toy.toyId,
    signPublicKey: toBase64url(toy.keys.signPublicKey),
    kemPublicKey: toBase64url(toy.keys.kemPublicKey),
    keysTag,
    expiresAt: opened.json.expiresAt,
  });
  clock.advance(PAIRING_WINDOW_MS);
  expectStatus(
    await call('GET', `/v1/pairing/${code}`, { token: fam.guardian.token }),
    404,
    'expired lookup',
  );
  assert.equal((await call<{ status: string }>('GET', '/v1/toys/me/pairing', toy.as)).json.status, 'none');
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/toys`, {
      ...fam.guardian.as,
      body: claimBody(fam, toy, code),
    }),
    404,
    'expired claim',
  );
});

test('an unknown lookup is a 404, a malformed one a 400', async () => {
  const fam = await family(call);
  expectStatus(await call('GET', `/v1/pairing/${lookup()}`, { token: fam.guardian.token }), 404);
  expectStatus(await call('GET', '/v1/pairing/ILOU00', { token: fam.guardian.token }), 400);
  expectStatus(await call('GET', '/v1/pairing/abcdef', { token: fam.guardian.token }), 400);
});

test('re-opening pairing replaces the previous window', async () => {
  const toy = await registerToy(call);
  const fam = await family(call);
  const first = await open(toy);
  const second = await open(toy);
  expectStatus(await call('GET', `/v1/pairing/${first}`, { token: fam.guardian.token }), 404);
  expectStatus(await call('GET', `/v1/pairing/${second}`, { token: fam.guardian.token }), 200);
});

test("a lookup held by another toy's open window is a 409; once that window expires it is free", async () => {
  const a = await registerToy(call);
  const b = await registerToy(call);
  const code = await open(a);
  const res = await call('POST', '/v1/toys/me/pairing', { ...b.as, body: { lookup: code, keysTag: tag() } });
  expectStatus(res, 409);
  clock.advance(PAIRING_WINDOW_MS + 1);
  await open(b, code);
});

test('claiming a toy: roster v2 lists it, the toy sees the roster and tag, and the window closes', async () => {
  const fam = await family(call);
  const toy = await registerToy(call);
  const code = await open(toy);
  const body = claimBody(fam, toy, code);
  const claim = await call('POST', `/v1/families/${fam.familyId}/toys`, { ...fam.guardian.as, body });
  expectStatus(claim, 201);
  assert.deepEqual(claim.json, { toyId: toy.toyId });
  const status = await call('GET', '/v1/toys/me/pairing', toy.as);
  assert.deepEqual(status.json, {
    status: 'claimed',
    familyId: fam.familyId,
    roster: body.roster,
    rosterTag: body.rosterTag,
  });
  assert.deepEqual((await call('GET', '/v1/toys/me', toy.as)).json, {
    toyId: toy.toyId,
    familyId: fam.familyId,
    childId: fam.childId,
  });
  expectStatus(await call('GET', `/v1/pairing/${code}`, { token: fam.guardian.token }), 404, 'window closed');
  const view = await call<{ toys: unknown[]; roster: RosterWire }>('GET', `/v1/families/${fam.familyId}`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(view.json.toys, [{ toyId: toy.toyId, childId: fam.childId }]);
  assert.equal(view.json.roster.version, 2);
  // The toy can read its family's rosters.
  const rosters = await call<{ rosters: RosterWire[] }>(
    'GET',
    `/v1/families/${fam.familyId}/rosters?after=1`,
    toy.as,
  );
  expectStatus(rosters, 200);
  assert.deepEqual(rosters.json.rosters, [body.roster]);
});

test('a claim is refused when the roster omits the toy, gives it other keys or another role, or names a foreign child', async () => {
  const fam = await family(call);
  const other = await family(call);
  const toy = await registerToy(call);
  const code = await open(toy);
  const path = `/v1/families/${fam.familyId}/toys`;
  const impostor = generateDeviceKeys(secureRandom);
  const cases: [string, number, ReturnType<typeof claimBody>][] = [
    [
      'roster without the toy',
      400,
      claimBody(fam, toy, code, successor(fam.roster, fam.roster.devices, fam.guardian.keys)),
    ],
    [
      'roster with an impostor key',
      400,
      claimBody(
        fam,
        toy,
        code,
        successor(
          fam.roster,
          [
            ...fam.roster.devices,
            { ...entry(impostor, 'toy', { sendToToy: false, hearChild: false }), id: toy.keys.deviceId },
          ],
          fam.guardian.keys,
        ),
      ),
    ],
    [
      'toy listed as a member',
      400,
      claimBody(
        fam,
        toy,
        code,
        successor(fam.roster, [...fam.roster.devices, entry(toy.keys, 'member')], fam.guardian.keys),
      ),
    ],
    ["another family's child", 404, { ...claimBody(fam, toy, code), childId: other.childId }],
  ];
  for (const [what, status, body] of cases)
    expectStatus(await call('POST', path, { ...fam.guardian.as, body }), status, what);
  assert.equal(
    (await call<{ status: string }>('GET', '/v1/toys/me/pairing', toy.as)).json.status,
    'waiting',
    'still waiting',
  );
});

test('a claim moves a toy from one family to another', async () => {
  const first = await family(call);
  const second = await family(call);
  const toy = await pairToy(call, first);
  await pairToy(call, second, toy);
  assert.deepEqual((await call('GET', '/v1/toys/me', toy.as)).json, {
    toyId: toy.toyId,
    familyId: second.familyId,
    childId: second.childId,
  });
  expectStatus(
    await call('GET', `/v1/families/${first.familyId}/rosters`, toy.as),
    404,
    'the old family is closed to it',
  );
});

test('lookupPairing and registerToy are rate-limited per address', async () => {
  const limited = await startTestServer({
    rateLimits: { lookupPairing: { max: 3, windowMs: 60_000 }, registerToy: { max: 2, windowMs: 60_000 } },
  });
  try {
    const c = httpClient(limited.url);
    const fam = await family(c);
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push((await c('GET', `/v1/pairing/${lookup()}`, { token: fam.guardian.token })).status);
    assert.deepEqual(codes, [404, 404, 404, 429]);
    const limitedRes = await c<{ error: { code: string } }>('GET', `/v1/pairing/${lookup()}`, {
      token: fam.guardian.token,
    });
    assert.equal(limitedRes.json.error.code, 'rate_limited');
    const toys = [];
    for (let i = 0; i < 3; i++)
      toys.push(
        (await c('POST', '/v1/toys', { body: deviceKeysBody(generateDeviceKeys(secureRandom), 'toy') }))
          .status,
      );
    assert.deepEqual(toys, [201, 201, 429]);
  } finally {
    await limited.close();
  }
});
