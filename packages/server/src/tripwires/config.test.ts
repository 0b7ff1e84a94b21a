import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, honeycheckerDirOf, parseConfig } from '../load-config.js';

void test('tripwire settings: defaults, the honeychecker beside (not inside) the data folder, and refusals', () => {
  const c = parseConfig({ BURROW_DATA_DIR: '/srv/burrow/data' });
  assert.deepEqual(
    { ...c.tripwires, canaryDomains: [...c.tripwires.canaryDomains] },
    {
      operatorEmail: 'operator@burrow.localhost',
      honeycheckerDir: null,
      honeycheckerSecret: null,
      honeycheckerUrl: null,
      honeycheckerToken: null,
      honeywords: 20,
      canaryAccounts: 3,
      canaryDomains: [],
    },
  );
  assert.equal(honeycheckerDirOf(c), '/srv/burrow/data-honeychecker');
  const set = parseConfig({
    BURROW_OPERATOR_EMAIL: 'security@example.org',
    BURROW_HONEYCHECKER_DIR: '/srv/hc',
    BURROW_HONEYCHECKER_SECRET: 'x'.repeat(40),
    BURROW_HONEYWORDS: '10',
    BURROW_CANARY_ACCOUNTS: '0',
    BURROW_CANARY_DOMAINS: 'Mail.Example.net, inbox.example.com',
  });
  assert.equal(honeycheckerDirOf(set), '/srv/hc');
  assert.equal(set.tripwires.honeywords, 10);
  assert.equal(set.tripwires.canaryAccounts, 0);
  assert.deepEqual([...set.tripwires.canaryDomains], ['mail.example.net', 'inbox.example.com']);
  assert.throws(() => parseConfig({ BURROW_HONEYWORDS: '0' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_HONEYWORDS: '2.5' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_OPERATOR_EMAIL: 'not an address' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_CANARY_DOMAINS: 'exa mple.com' }), ConfigError);
  // The honeychecker service: a URL needs its token, and only http:// or unix:/path will do.
  const token = 't'.repeat(40);
  assert.equal(parseConfig({ BURROW_HONEYCHECKER_URL: 'unix:/run/hc.sock', BURROW_HONEYCHECKER_TOKEN: token }).tripwires.honeycheckerUrl, 'unix:/run/hc.sock');
  assert.throws(() => parseConfig({ BURROW_HONEYCHECKER_URL: 'http://10.0.0.5:7300' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_HONEYCHECKER_URL: 'http://10.0.0.5:7300', BURROW_HONEYCHECKER_TOKEN: 'short' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_HONEYCHECKER_URL: 'ftp://10.0.0.5', BURROW_HONEYCHECKER_TOKEN: token }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_HONEYCHECKER_URL: 'unix:relative.sock', BURROW_HONEYCHECKER_TOKEN: token }), ConfigError);
});
