/** security.txt (RFC 9116) from its configuration section, in process; served over HTTP in updates/routes.test.ts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSecurityTxtConfig, parseSecurityTxtConfig, SecurityTxtConfigError } from './config.js';
import { securityTxt } from './security-txt.js';

const now = Date.parse('2026-11-30T15:00:00Z');

test('with nothing configured, every field comes from the public URL: contact, policy, canonical; Expires 180 days ahead at midnight', () => {
  assert.deepEqual(parseSecurityTxtConfig({}), defaultSecurityTxtConfig);
  assert.equal(
    securityTxt(defaultSecurityTxtConfig, 'https://burrow.example/', now),
    'Contact: mailto:security@burrow.example\nExpires: 2027-05-29T00:00:00Z\nPolicy: https://burrow.example/security-policy\nPreferred-Languages: en\nCanonical: https://burrow.example/.well-known/security.txt\n',
  );
});

test('configured values replace the defaults; without a shipped policy or public URL, Policy and Canonical are left out', () => {
  const config = parseSecurityTxtConfig({
    BURROW_SECURITY_CONTACT: 'mailto:sec@maker.example, https://maker.example/report',
    BURROW_SECURITY_POLICY: 'https://maker.example/policy',
    BURROW_SECURITY_LANGUAGES: 'en, fr',
    BURROW_SECURITY_EXPIRES_DAYS: '30',
  });
  const text = securityTxt(config, 'https://burrow.example', now);
  assert.match(text, /^Contact: mailto:sec@maker\.example\nContact: https:\/\/maker\.example\/report\n/);
  assert.match(text, /^Expires: 2026-12-30T00:00:00Z$/m);
  assert.match(text, /^Policy: https:\/\/maker\.example\/policy$/m);
  assert.match(text, /^Preferred-Languages: en, fr$/m);
  const bare = securityTxt(defaultSecurityTxtConfig, null, now, false);
  assert.doesNotMatch(bare, /Policy:|Canonical:/);
  assert.match(bare, /^Contact: mailto:security@localhost$/m);
});

test('a contact that is not a URI, a policy that is not https, odd languages or an expiry past a year stop the start', () => {
  for (const env of [
    { BURROW_SECURITY_CONTACT: 'security@example.com' },
    { BURROW_SECURITY_POLICY: 'http://example.com/policy' },
    { BURROW_SECURITY_LANGUAGES: 'english!' },
    { BURROW_SECURITY_EXPIRES_DAYS: '400' },
    { BURROW_SECURITY_EXPIRES_DAYS: '1.5' },
  ]) {
    assert.throws(() => parseSecurityTxtConfig(env), SecurityTxtConfigError, JSON.stringify(env));
  }
});

test('the shipped policy (docs/security-policy.md) states the Expires and contact that security.txt publishes by default', async () => {
  const { readFile } = await import('node:fs/promises');
  const policy = await readFile(new URL('../../../../docs/security-policy.md', import.meta.url), 'utf8');
  // The reader of the policy and the reader of security.txt must be told the same thing.
  assert.match(policy, new RegExp(`\`Expires:\` is ${defaultSecurityTxtConfig.expiresDays} days ahead`));
  assert.match(policy, /`mailto:security@<the server's host>`/);
  assert.equal(securityTxt(defaultSecurityTxtConfig, 'https://burrow.example', now).split('\n')[0], 'Contact: mailto:security@burrow.example');
  // The support period is stated per model, by the update target its bundles carry.
  assert.match(policy, /\| Burrow headless toy \(`burrow-toy`\) \|/);
});
