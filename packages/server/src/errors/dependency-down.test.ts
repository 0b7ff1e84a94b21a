import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDependencyDown } from './dependency-down.js';
import { toErrorResponse } from './error-handler.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('a service that is not answering is a 503 unavailable with Retry-After; any other failure stays a bare 500', () => {
  const down = [
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('the database system is shutting down', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('sorry, too many clients already', '53300'),
    withCode('connection failure', '08006'),
    new Error('Connection terminated unexpectedly'),
    new Error('sign-in failed', { cause: withCode('read ETIMEDOUT', 'ETIMEDOUT') }),
  ];
  for (const err of down) {
    assert.ok(isDependencyDown(err), err.message);
    const r = toErrorResponse(err);
    assert.equal(r.status, 503, err.message);
    assert.equal(r.body.error.code, 'unavailable');
    assert.equal(r.retryAfterS, 5);
    assert.equal(r.internal, false);
    assert.doesNotMatch(r.body.error.message, /5432|ECONN|shutting/, 'no internal detail reaches the caller');
  }
  for (const err of [new Error('boom'), withCode('duplicate key', '23505'), withCode('no such file', 'ENOENT'), 'a string']) {
    assert.equal(isDependencyDown(err), false, String(err));
    const r = toErrorResponse(err);
    assert.equal(r.status, 500);
    assert.equal(r.retryAfterS, undefined);
  }
});
