/**
 * zxcvbn-ts scoring runs on a worker thread (issue #10, #11): the event loop keeps turning while a
 * 150-600 ms check runs, the queue is bounded (503 unavailable with Retry-After past it), and the
 * verdicts are the ones the policy always gave (password-policy.test.ts).
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import { passwordContextWords } from '@burrow/api';
import { errorHandler, isAppError } from '../errors/index.js';
import { loadBlocklist } from './blocklist.js';
import { createPasswordPolicy } from './password-policy.js';
import { BusyError, createStrengthScorer } from './password-strength.js';
import { withRetryAfter } from './throttle.js';

// Guessable but costly: 28 characters of repeated words, each part run through Levenshtein
// distance against every dictionary (≈ 0.5 s of CPU here), all of which used to block the loop.
const SLOW = 'passwordpasswordpassword1234';

const scorers: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of scorers) await s.close();
});

/** Event-loop turns (setImmediate) taken while `work` is pending. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ turns: number; value: T }> {
  let done = false;
  let turns = 0;
  const settled = work.finally(() => {
    done = true;
  });
  const spin = async (): Promise<void> => {
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!done) turns += 1;
    }
  };
  const [value] = await Promise.all([settled, spin()]);
  return { turns, value };
}

test('while a slow password is scored, the event loop keeps turning, and the verdict is unchanged', async () => {
  const strength = createStrengthScorer();
  scorers.push(strength);
  const policy = createPasswordPolicy({ strength });
  await loadBlocklist(); // loaded once per process: its I/O must not count as turns of the check
  await policy.check('an unbreached walrus sings opera'); // the worker is started and warm

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const { turns, value } = await turnsDuring(policy.check(SLOW).then(() => null, (err: unknown) => err));
  delay.disable();
  // On the event loop the whole check ran in one turn: not a single setImmediate got in.
  assert.ok(turns > 1, `only ${String(turns)} event-loop turns during the check`);
  assert.ok(isAppError(value, 'bad_request'), String(value));
  assert.match(value.message, /too easy to guess/);
  console.log(`# ${String(turns)} turns during the check; loop delay max ${(delay.max / 1e6).toFixed(1)} ms`);
});

test('a full queue refuses at once with 503 unavailable and a Retry-After, and serves again once drained', async () => {
  const strength = createStrengthScorer({ maxPending: 1, retryAfterSeconds: 3 });
  scorers.push(strength);
  const inputs = passwordContextWords('ann@example.com');
  const first = strength.score(SLOW, inputs);
  await assert.rejects(strength.score('correct horse battery staple plush', inputs), (err: unknown) => {
    assert.ok(err instanceof BusyError && isAppError(err, 'unavailable'));
    assert.equal(err.retryAfterSeconds, 3);
    assert.match(err.message, /busy.*try again in 3 s/);
    return true;
  });
  assert.deepEqual(strength.load(), { pending: 1, refused: 1 });
  assert.ok((await first).score < 3);
  assert.ok((await strength.score('correct horse battery staple plush', inputs)).score >= 3);
  assert.deepEqual(strength.load(), { pending: 0, refused: 1 });
});

test('the policy passes the refusal on, and a route answers it 503 with Retry-After', async () => {
  const strength = createStrengthScorer({ maxPending: 1, retryAfterSeconds: 2 });
  scorers.push(strength);
  const policy = createPasswordPolicy({ strength });
  await loadBlocklist();
  // The worker answers in a later event-loop turn, so the queue is still full when the policy asks.
  const first = strength.score(SLOW, []);
  const refusal = await policy.check('my cat eats blue pancakes on tuesdays').then(() => null, (err: unknown) => err);
  assert.ok(refusal instanceof BusyError, String(refusal));
  await first;
  await policy.check('my cat eats blue pancakes on tuesdays');

  // Every route that checks a password wraps its service call in withRetryAfter (accounts, recovery).
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  app.post('/check', async (_request, reply) => {
    await withRetryAfter(reply, () => Promise.reject(refusal));
    return { ok: true };
  });
  try {
    const busy = await app.inject({ method: 'POST', url: '/check' });
    assert.equal(busy.statusCode, 503);
    assert.equal(busy.headers['retry-after'], '2');
    assert.deepEqual(busy.json(), { error: { code: 'unavailable', message: 'The server is busy checking other passwords; try again in 2 s.' } });
  } finally {
    await app.close();
  }
});

test('closing the scorer fails its pending checks with 503 unavailable, and the next check starts a new worker', async () => {
  const strength = createStrengthScorer();
  scorers.push(strength);
  const failed = assert.rejects(strength.score(SLOW, []), (err: unknown) => isAppError(err, 'unavailable'));
  await strength.close();
  await failed;
  assert.ok((await strength.score('correct horse battery staple plush', [])).score >= 3);
});
