import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { argon2Params, createPasswordHasher } from '../accounts/passwords.js';
import { openHoneychecker } from '../honeychecker/index.js';
import { createHoneywordHasher, decodeSet, decoysFor, setIdOf, type SweetwordEvent } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'burrow-hw-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const pepper = { secret: randomBytes(32), id: 'aaaaaaaaaaaaaaaa' };
const honeychecker = openHoneychecker({ dir: join(dir, 'hc'), secret: randomBytes(32).toString('base64') });
after(() => {
  honeychecker.close();
});
const events: SweetwordEvent[] = [];
const hasher = createHoneywordHasher({
  inner: createPasswordHasher(pepper),
  pepper,
  honeychecker,
  k: 20,
  onEvent: (e) => events.push(e),
});
const PASSWORD = 'Grandma reads the dragon story 1954!';

void test('a stored password is a set of 20 argon2id hashes sharing one salt, in the argon2id PHC format', async () => {
  const stored = await hasher.hash(PASSWORD);
  assert.match(stored.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  const set = decodeSet(stored.hash);
  assert.ok(set);
  assert.equal(set.hashes.length, 20);
  assert.equal(new Set(set.hashes.map((h) => h.toString('hex'))).size, 20, 'twenty different sweetwords');
  // The honeychecker knows exactly one index as the real one.
  const verdicts = await Promise.all(set.hashes.map((_, i) => honeychecker.check(setIdOf(set), i)));
  assert.equal(verdicts.filter((v) => v === 'real').length, 1);
  assert.equal(verdicts.filter((v) => v === 'decoy').length, 19);
  assert.equal(await hasher.verify(stored, PASSWORD), true);
  assert.equal(await hasher.verify(stored, 'not the password, and not a decoy'), false);
  assert.equal(hasher.needsRehash(stored), false);
  assert.deepEqual(events, []);
});

void test('the real index is random: over many sets it lands in many places', async () => {
  const fast = createHoneywordHasher({
    inner: createPasswordHasher(pepper),
    pepper,
    honeychecker,
    k: 20,
    onEvent: () => undefined,
    params: { ...argon2Params, memoryCost: 64, timeCost: 1 },
  });
  const seen = new Set<number>();
  for (let n = 0; n < 40; n++) {
    const set = decodeSet((await fast.hash(PASSWORD)).hash);
    assert.ok(set);
    for (let i = 0; i < set.hashes.length; i++)
      if ((await honeychecker.check(setIdOf(set), i)) === 'real') seen.add(i);
  }
  assert.ok(seen.size >= 8, `real index positions seen: ${String(seen.size)}`);
});

void test('decoys keep the shape of the real password and never repeat it', () => {
  const decoys = decoysFor(PASSWORD, 19);
  assert.equal(new Set(decoys).size, 19);
  assert.ok(!decoys.includes(PASSWORD));
  for (const d of decoys) {
    const shape = (s: string) =>
      s
        .replace(/\p{Lu}/gu, 'A')
        .replace(/\p{Ll}/gu, 'a')
        .replace(/\d/g, '9');
    assert.equal(shape(d).length, shape(PASSWORD).length, d);
    assert.match(d, /^[A-Z][a-z]{6} [a-z]{5} [a-z]{3} [a-z]{6} [a-z]{5} \d{4}.$/, d);
  }
});

void test('a legacy single hash still verifies and asks to be re-made as a set; a wrong pepper id fails', async () => {
  const legacy = {
    hash: await hash(PASSWORD, { ...argon2Params, secret: pepper.secret }),
    pepperId: pepper.id,
  };
  assert.equal(decodeSet(legacy.hash), null);
  assert.equal(await hasher.verify(legacy, PASSWORD), true);
  assert.equal(hasher.needsRehash(legacy), true);
  const stored = await hasher.hash(PASSWORD);
  assert.equal(await hasher.verify({ ...stored, pepperId: 'bbbbbbbbbbbbbbbb' }, PASSWORD), false);
});

void test('a set the honeychecker does not know signs in, is re-made, and is reported', async () => {
  const other = openHoneychecker({ dir: join(dir, 'other'), secret: randomBytes(32).toString('base64') });
  const elsewhere = createHoneywordHasher({
    inner: createPasswordHasher(pepper),
    pepper,
    honeychecker: other,
    k: 3,
    onEvent: () => undefined,
  });
  const stored = await elsewhere.hash(PASSWORD);
  other.close();
  const k3 = createHoneywordHasher({
    inner: createPasswordHasher(pepper),
    pepper,
    honeychecker,
    k: 3,
    onEvent: (e) => events.push(e),
  });
  events.length = 0;
  assert.equal(await k3.verify(stored, PASSWORD), true);
  assert.equal(k3.needsRehash(stored), true);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['unknown-set'],
  );
});

void test('a decoy used names the account and the client address the caller said it checked, so the tripwire needs no search by hash', async () => {
  const decoy = decoysFor(PASSWORD, 1)[0];
  assert.ok(decoy && decoy !== PASSWORD);
  const sweet = await hasher.hashSweetwords([PASSWORD, decoy], 0);
  events.length = 0;
  assert.equal(await hasher.verify({ ...sweet, accountId: 'acc-owner' }, decoy, { ip: '203.0.113.5' }), false);
  assert.deepEqual(events, [{ kind: 'decoy', passwordHash: sweet.hash, accountId: 'acc-owner', ip: '203.0.113.5' }]);
  events.length = 0;
  assert.equal(await hasher.verify(sweet, decoy), false);
  assert.deepEqual(events, [{ kind: 'decoy', passwordHash: sweet.hash, accountId: null, ip: null }], 'without an account id or address the event says so');
});
