import assert from 'node:assert/strict';
import { test } from 'node:test';
import { i18n } from '../i18n/index.js';
import { SIMULATOR_VERSION, softwareLine } from './software.js';

test('the simulator shows its version, and whether the server offers a newer one', () => {
  assert.equal(softwareLine(null), `Software ${SIMULATOR_VERSION}`);
  assert.equal(softwareLine({ version: SIMULATOR_VERSION, available: null }), `Software ${SIMULATOR_VERSION} — up to date`);
  assert.match(softwareLine({ version: SIMULATOR_VERSION, available: '9.0.0' }), /version 9\.0\.0 is out/);
});

test('the software line is in the chosen language', async () => {
  await i18n.changeLanguage('de');
  try {
    assert.equal(softwareLine({ version: SIMULATOR_VERSION, available: null }), `Software ${SIMULATOR_VERSION} — aktuell`);
    assert.match(softwareLine({ version: SIMULATOR_VERSION, available: '9.0.0' }), /Version 9\.0\.0 ist erschienen/);
  } finally {
    await i18n.changeLanguage('en');
  }
});

test('the simulator version is the headless toy version', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../../toy/package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(SIMULATOR_VERSION, pkg.version);
});
