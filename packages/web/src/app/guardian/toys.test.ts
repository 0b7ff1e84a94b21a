/**
 * The toys list keeps the newest presence whatever order its overlapping loads and the stream's
 * presence events arrive in (toys.ts loadToys). Each stream event starts a load; under load in CI an
 * older one finished last and showed a renewed toy "Offline" while it was online (e2e toys.test).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ListToysResponse } from '@burrow/api';
import type { GuardianCore } from './core.js';
import type { GuardianState, Toy } from './state.js';
import { Toys } from './toys.js';

type Listed = ListToysResponse['toys'][number];

/** A core whose list requests the test answers one by one, in the order it chooses. */
function fakeCore(): { core: GuardianCore; toys: () => Toy[]; answer: (i: number, online: boolean) => void } {
  let state = { familyId: 'fam', inRoster: false, toys: [] as Toy[] } as unknown as GuardianState;
  const pending: ((online: boolean) => void)[] = [];
  const core = {
    get state() {
      return state;
    },
    set(patch: Partial<GuardianState>) {
      state = { ...state, ...patch };
    },
    api: {
      listToys: () =>
        new Promise<ListToysResponse>((resolve) => {
          pending.push((online) => {
            const toy: Listed = { toyId: 'toy', childId: null, name: null, online, lastSeenAt: 1, unplayed: 0 };
            resolve({ toys: [toy] });
          });
        }),
    },
    device: {},
  } as unknown as GuardianCore;
  return { core, toys: () => state.toys, answer: (i, online) => pending[i]!(online) };
}

test('of two overlapping loads, the newer one’s list is shown even when the older finishes last', async () => {
  const { core, toys, answer } = fakeCore();
  const list = new Toys(core);
  const older = list.loadToys();
  const newer = list.loadToys();
  answer(1, true);
  await newer;
  answer(0, false);
  await older;
  assert.equal(toys()[0]?.online, true);
});

test('a presence event that arrives while a load is in flight wins over the presence the load read', async () => {
  const { core, toys, answer } = fakeCore();
  const list = new Toys(core);
  // The toy is not listed yet: the event says so, and is kept for the load that lists it.
  assert.equal(list.onPresence('toy', true, 5), false);
  const load = list.loadToys();
  const earlier = list.onPresence('toy', false, 6);
  assert.equal(earlier, false, 'still not listed while the load is in flight');
  assert.equal(list.onPresence('toy', true, 7), false);
  answer(0, false); // read before the toy's stream opened
  await load;
  assert.deepEqual([toys()[0]?.online, toys()[0]?.lastSeenAt], [true, 7]);
  // A load that starts after the event believes its own reading.
  const next = list.loadToys();
  answer(1, false);
  await next;
  assert.equal(toys()[0]?.online, false);
  assert.equal(list.onPresence('toy', true, 9), true, 'a listed toy is updated in place');
  assert.equal(toys()[0]?.online, true);
});
