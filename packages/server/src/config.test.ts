import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ConfigError, describeConfig, parseConfig } from './load-config.js';

test('defaults: port 8080 on 0.0.0.0, SQLite at ./data/burrow.db, no TLS', () => {
  const config = parseConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, resolve('./data'));
  assert.deepEqual(config.database, { kind: 'sqlite', path: resolve('./data/burrow.db') });
  assert.equal(config.tls, null);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.database));
});

test('environment variables select port, host, data dir, Postgres and TLS', () => {
  const config = parseConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    BURROW_DATA_DIR: '/var/lib/burrow',
    BURROW_DATABASE_URL: 'postgres://burrow:s3cret@db:5432/burrow',
    BURROW_TLS_CERT: '/etc/cert.pem',
    BURROW_TLS_KEY: '/etc/key.pem',
  });
  assert.equal(config.port, 9000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, '/var/lib/burrow');
  assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://burrow:s3cret@db:5432/burrow' });
  assert.deepEqual(config.tls, { certPath: '/etc/cert.pem', keyPath: '/etc/key.pem' });
});

test('bad values fail with a message that says how to fix them and never echoes a secret', () => {
  assert.throws(() => parseConfig({ PORT: 'eighty' }), ConfigError);
  assert.throws(() => parseConfig({ BURROW_TLS_CERT: '/etc/cert.pem' }), /BURROW_TLS_KEY/);
  assert.throws(
    () => parseConfig({ BURROW_DATABASE_URL: 'mysql://root:hunter2@db/x' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /BURROW_DATABASE_URL/.test(err.message) &&
      !err.message.includes('hunter2'),
  );
});

test('the loggable description hides the database password', () => {
  const description = JSON.stringify(
    describeConfig(parseConfig({ BURROW_DATABASE_URL: 'postgres://burrow:s3cret@db:5432/burrow' })),
  );
  assert.ok(!description.includes('s3cret'));
  assert.ok(description.includes('db:5432'));
});

test('account security: Pwned Passwords off by default, "on" or a URL; a public URL is an origin; bad values say how to fix', () => {
  assert.deepEqual(parseConfig({}).accountSecurity, {
    pwnedPasswordsUrl: null,
    publicUrl: null,
    mailFrom: 'Burrow <no-reply@burrow.localhost>',
  });
  const on = parseConfig({ BURROW_PWNED_PASSWORDS: 'on', BURROW_PUBLIC_URL: 'https://burrow.example.org/app' });
  assert.equal(on.accountSecurity.pwnedPasswordsUrl, 'https://api.pwnedpasswords.com');
  assert.equal(on.accountSecurity.publicUrl, 'https://burrow.example.org');
  assert.equal(parseConfig({ BURROW_PWNED_PASSWORDS: 'http://127.0.0.1:9999' }).accountSecurity.pwnedPasswordsUrl, 'http://127.0.0.1:9999');
  assert.throws(() => parseConfig({ BURROW_PWNED_PASSWORDS: 'yes please' }), /BURROW_PWNED_PASSWORDS/);
  assert.throws(() => parseConfig({ BURROW_PUBLIC_URL: 'burrow.example.org' }), /BURROW_PUBLIC_URL/);
  assert.throws(() => parseConfig({ BURROW_MAIL_FROM: 'a\r\nBcc: x@evil.example' }), /BURROW_MAIL_FROM/);
});
