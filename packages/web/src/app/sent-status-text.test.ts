import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentStatusText } from './sent-status-text.js';

const toyId = 'toy-1';

test('only a message the toy fetched is said to glow', () => {
  assert.equal(sentStatusText({ toyId, state: 'delivered' }, 'Bun'), 'Delivered: Bun’s heart is glowing.');
  for (const state of ['review', 'quiet_hours', 'waiting', 'played', 'declined'] as const)
    assert.doesNotMatch(sentStatusText({ toyId, state }, 'Bun'), /glowing/, state);
  assert.doesNotMatch(sentStatusText(undefined, 'Bun'), /glowing/);
});

test('quiet hours name their end; review names the guardian; played says played', () => {
  assert.match(sentStatusText({ toyId, state: 'quiet_hours', quietUntil: '07:00' }, 'Bun'), /waiting for quiet hours to end at 7:00\sAM/);
  assert.match(sentStatusText({ toyId, state: 'review' }, 'Bun'), /waiting for a guardian’s approval/);
  assert.match(sentStatusText({ toyId, state: 'played' }, 'Bun'), /^Played/);
  assert.match(sentStatusText({ toyId, state: 'waiting' }, 'Bun'), /waiting for Bun to come online/);
});
