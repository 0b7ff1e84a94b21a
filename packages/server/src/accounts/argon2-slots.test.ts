import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLane } from './argon2-slots.js';

void test('a lane runs at most its slots at once and the rest in arrival order, even when work fails', async () => {
  const lane = createLane(2);
  const gates: (() => void)[] = [];
  const started: number[] = [];
  const runs = [0, 1, 2, 3, 4].map((i) =>
    lane.run(async () => {
      started.push(i);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (i === 1) throw new Error('boom');
      return i;
    }),
  );
  await Promise.resolve();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(lane.load(), { running: 2, waiting: 3 });
  gates[1]!(); // the failing one frees its slot too
  await assert.rejects(runs[1]!, /boom/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(lane.load(), { running: 2, waiting: 2 });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  gates[0]!(); // slot freed: 3 starts, 4 still waits
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  assert.deepEqual(lane.load(), { running: 2, waiting: 1 });
  gates[2]!();
  await tick();
  gates[3]!();
  gates[4]!();
  assert.deepEqual(await Promise.all([runs[0], runs[2], runs[3], runs[4]]), [0, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(lane.load(), { running: 0, waiting: 0 });
});
