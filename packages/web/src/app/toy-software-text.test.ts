import assert from 'node:assert/strict';
import { test } from 'node:test';
import { softwareText } from './toy-software-text.js';

const report = { version: '1.2.0', detail: null, reportedAt: 1, available: null };

test('the Toys page says whether a toy is up to date, has an update waiting or rolled one back', () => {
  assert.equal(softwareText(null), 'Software version not reported yet.');
  assert.equal(softwareText({ ...report, state: 'current' }), 'Software 1.2.0 — up to date.');
  assert.match(softwareText({ ...report, state: 'current', available: '1.3.0' }), /update 1\.3\.0 available/);
  assert.match(softwareText({ ...report, state: 'pending' }), /starts next time the toy restarts/);
  assert.match(softwareText({ ...report, state: 'rolled_back' }), /went back to this version/);
});
