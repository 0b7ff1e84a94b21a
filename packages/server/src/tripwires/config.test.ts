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
});
