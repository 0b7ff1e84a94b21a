import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../load-config.js';
import { parseUpdatesConfig, UpdatesConfigError } from './config.js';

test('HTTP uploads are off unless BURROW_UPDATES_TOKEN is set, and a short token stops the start', () => {
  assert.equal(parseUpdatesConfig({}).uploadToken, null);
  assert.equal(parseUpdatesConfig({ BURROW_UPDATES_TOKEN: 'x'.repeat(32) }).uploadToken, 'x'.repeat(32));
  assert.throws(() => parseUpdatesConfig({ BURROW_UPDATES_TOKEN: 'short' }), UpdatesConfigError);
});

test('the composed configuration carries the updates and security.txt sections and reports their errors as ConfigError', () => {
  const config = parseConfig({ BURROW_UPDATES_TOKEN: 'y'.repeat(40), BURROW_SECURITY_LANGUAGES: 'fr' });
  assert.equal(config.updates?.uploadToken, 'y'.repeat(40));
  assert.equal(config.securityTxt?.languages, 'fr');
  assert.throws(() => parseConfig({ BURROW_UPDATES_TOKEN: 'short' }), (e: unknown) => (e as Error).constructor.name === 'ConfigError');
});
