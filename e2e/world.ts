/**
 * A small world for end-to-end tests: a real server on loopback (SQLite, or PostgreSQL when
 * BURROW_TEST_PG_URL is set), guardians with their own devices, and headless toys with data folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiClient, FamilyDevice, MemoryStore, ToyDevice, type RotationPolicy, type ToyEvent } from '@burrow/client';
import { startTestServer } from '@burrow/server/testing';
import { FileStore } from '@burrow/toy';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

// Cheap for the strength check: see PASSWORD in packages/server/src/testing/fixtures.ts.
export const PASSWORD = 'quiet maple lantern drifts by the old river';

export async function startWorld(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options);
  const scratch = mkdtempSync(join(tmpdir(), 'burrow-e2e-'));
  const closers: (() => Promise<void> | void)[] = [];
  return {
    server,
    url: server.url,
    async guardian(label = 'mum', options: { fetch?: typeof fetch } = {}) {
      const api = new ApiClient({ baseUrl: server.url, ...(options.fetch ? { fetch: options.fetch } : {}) });
      const device = await FamilyDevice.open({ api, store: new MemoryStore() });
      const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
      await device.signUp(email, PASSWORD);
      return Object.assign(device, { email });
    },
    /** A toy with its own data folder; pass `dataDir` to boot an existing toy again. */
    async toy(options: { fetch?: typeof fetch; events?: ToyEvent[]; dataDir?: string; clock?: () => number; rotation?: RotationPolicy } = {}) {
      const events = options.events ?? [];
      const dataDir = options.dataDir ?? join(scratch, `toy-${randomBytes(4).toString('hex')}`);
      const api = new ApiClient({ baseUrl: server.url, ...(options.fetch ? { fetch: options.fetch } : {}) });
      const device = await ToyDevice.open({ api, store: new FileStore(dataDir), onEvent: (e) => events.push(e), ...(options.clock ? { clock: options.clock } : {}), ...(options.rotation ? { rotation: options.rotation } : {}) });
      await device.register();
      return Object.assign(device, { events, dataDir });
    },
    onClose(fn: () => Promise<void> | void) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.reverse()) await fn();
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;

/** A family with a guardian, a child and a toy paired through the real pairing flow. */
export async function pairedFamily(world: World, toyOptions: Parameters<World['toy']>[0] = {}) {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy(toyOptions);
  const code = await toy.startPairing();
  const toyId = await mum.claimToy(familyId, childId, code);
  if (!(await toy.checkPairing())) throw new Error('pairing did not complete');
  return { mum, familyId, childId, toy, toyId };
}

export function audioSample(bytes = 48_000): Uint8Array {
  // Distinctive, incompressible bytes so a search for them in storage cannot match by chance.
  return new Uint8Array(randomBytes(bytes));
}

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
