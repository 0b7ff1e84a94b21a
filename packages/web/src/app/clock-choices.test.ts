import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hourChoices, minuteChoices } from './clock-choices.js';

void test('minutes are offered in 5-minute steps', () => {
  assert.deepEqual(minuteChoices(30), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
  assert.deepEqual(minuteChoices(0), minuteChoices(55));
});

void test('a saved minute off the steps is offered in its place, so 07:03 still shows as 07:03', () => {
  assert.deepEqual(minuteChoices(3), [0, 3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
  assert.deepEqual(minuteChoices(59).slice(-2), [55, 59]);
  for (let m = 0; m < 60; m++) assert.ok(minuteChoices(m).includes(m), `minute ${String(m)} is offered when selected`);
});

void test('hours: 24 on a 24-hour clock, 12 beside AM/PM', () => {
  assert.deepEqual(hourChoices(false), Array.from({ length: 24 }, (_, h) => h));
  assert.deepEqual(hourChoices(true), Array.from({ length: 12 }, (_, h) => h));
});
