/**
 * What a KEM key rotation (docs/protocol.md §14.3) costs a toy and its family, how many message
 * keys a device holds at most, and what one identity renewal of the toy costs (§17.6) — on a real server on loopback (SQLite, in this process), with the
 * default schedule (weekly, 2 days of grace) on a clock the script moves (server and devices share it).
 *
 *   npx tsx bench/rotation.ts [--reps N]
 *
 * Costs are differences against a peer in the same run: a toy's wake-up with a rotation against one
 * without; a guardian's send after the toy rotated against a send before; a guardian device's key
 * check that rotates against one that does not. Bytes are HTTP bodies (headers not counted); CPU is
 * the whole process (devices and server together), so it bounds the device's own share from above.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, FamilyDevice, MemoryStore, ToyDevice } from '@burrow/client';
import { ManualClock } from '@burrow/server';
import { startTestServer } from '@burrow/server/testing';
import { FileStore } from '@burrow/toy';
import { PASSWORD } from '../e2e/world.js';

const DAY = 24 * 60 * 60 * 1000;
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;

interface Meter {
  requests: number;
  up: number;
  down: number;
}

function metered(meter: Meter): typeof fetch {
  return async (input, init) => {
    meter.requests++;
    const body = init?.body;
    meter.up += typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : 0;
    const res = await fetch(input, init);
    const bytes = new Uint8Array(await res.arrayBuffer());
    meter.down += bytes.byteLength;
    if (process.env.BENCH_DEBUG) console.log(init?.method ?? 'GET', String(input instanceof Request ? input.url : input).replace(/^https?:\/\/[^/]+/, ''), res.status, bytes.byteLength);
    const empty = res.status === 204 || res.status === 304;
    return new Response(empty ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

interface Cost extends Meter {
  wallMs: number;
  cpuMs: number;
}

async function cost(meter: Meter, fn: () => Promise<unknown>): Promise<Cost> {
  const before = { ...meter };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { requests: meter.requests - before.requests, up: meter.up - before.up, down: meter.down - before.down, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function summary(label: string, runs: Cost[]): string {
  const m = (k: keyof Cost) => median(runs.map((r) => r[k]));
  return `${label.padEnd(56)} ${String(m('requests')).padStart(3)} req  ${String(m('up')).padStart(6)} B up  ${String(m('down')).padStart(6)} B down  ${m('wallMs').toFixed(1).padStart(7)} ms wall  ${m('cpuMs').toFixed(1).padStart(7)} ms CPU`;
}

async function main(): Promise<void> {
  const clock = new ManualClock(Date.now());
  const server = await startTestServer({ clock });
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-rotation-bench-'));
  try {
    const now = () => clock.now();
    const mumMeter: Meter = { requests: 0, up: 0, down: 0 };
    const toyMeter: Meter = { requests: 0, up: 0, down: 0 };
    const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: server.url, fetch: metered(mumMeter) }), store: new MemoryStore(), clock: now });
    const email = `mum-${Date.now()}@example.com`;
    await mum.signUp(email, PASSWORD);
    // Sessions expire on the moved clock: the guardian signs in again, outside what is measured.
    let signedInAt = clock.now();
    const advance = async (ms: number) => {
      clock.advance(ms);
      if (clock.now() - signedInAt < 6 * DAY) return;
      await mum.logIn(email, PASSWORD);
      signedInAt = clock.now();
    };
    const familyId = await mum.createFamily();
    const childId = await mum.createChild(familyId, 'Mia');
    const toy = await ToyDevice.open({ api: new ApiClient({ baseUrl: server.url, fetch: metered(toyMeter) }), store: new FileStore(join(dataDir, 'toy')), clock: now });
    await toy.register();
    await mum.claimToy(familyId, childId, await toy.startPairing());
    if (!(await toy.checkPairing())) throw new Error('pairing did not complete');
    await toy.sync();
    await mum.maintainKeys(familyId, { force: true });
    const audio = new Uint8Array(4_000);
    const send = () => mum.sendVoice(familyId, [toy.toyId], audio, {});
    await send();
    await toy.sync();
    while (await toy.playNext());

    const toyIdle: Cost[] = [];
    const toyRotating: Cost[] = [];
    const sendSteady: Cost[] = [];
    const sendAfter: Cost[] = [];
    const mumIdle: Cost[] = [];
    const mumRotating: Cost[] = [];
    for (let i = 0; i < reps; i++) {
      await advance(DAY);
      toyIdle.push(await cost(toyMeter, () => toy.sync()));
      sendSteady.push(await cost(mumMeter, send));
      await toy.sync();
      while (await toy.playNext());
      // A week on: the toy's next wake-up rotates and publishes; the guardian's next send picks it up.
      await advance(7 * DAY);
      const epochBefore = (await toy.keyStatus()).kemEpoch;
      toyRotating.push(await cost(toyMeter, () => toy.sync()));
      if ((await toy.keyStatus()).kemEpoch !== epochBefore + 1) throw new Error('the toy did not rotate');
      sendAfter.push(await cost(mumMeter, send));
      await toy.sync();
      while (await toy.playNext());
      // The guardian's own device: a key check that rotates, then one with nothing due.
      await advance(7 * DAY);
      let rotated: boolean | undefined;
      mumRotating.push(await cost(mumMeter, async () => (rotated = (await mum.maintainKeys(familyId))?.rotated)));
      if (!rotated) throw new Error('the guardian device did not rotate');
      await advance(2 * 60 * 60 * 1000);
      mumIdle.push(await cost(mumMeter, async () => (rotated = (await mum.maintainKeys(familyId))?.rotated)));
      if (rotated) throw new Error('the guardian device rotated again');
      // Outside what is measured: the toy's rotation that came due meanwhile, and a send after it.
      await toy.sync();
      await send();
      await toy.sync();
      while (await toy.playNext());
    }
    console.log(`reps ${reps}; medians; bodies only; CPU = this process (devices + server)`);
    for (const [label, runs] of [
      ['toy wake-up, nothing new (peer)', toyIdle],
      ['toy wake-up that rotates', toyRotating],
      ['guardian send, no rotation since (peer)', sendSteady],
      ['guardian send, first after the toy rotated', sendAfter],
      ['guardian key check, nothing due (peer)', mumIdle],
      ['guardian key check that rotates', mumRotating],
    ] as const)
      console.log(summary(label, runs));

    // Keys held: 8 weeks, the toy waking every 6 hours; nothing played for the last 6 weeks with a
    // message a week arriving (each held in a slot with the key that opened it), then all played.
    let most = 0;
    let mostPlaying = 0;
    for (let h = 0; h < 8 * 7 * 24; h += 6) {
      await advance(6 * 60 * 60 * 1000);
      await toy.sync();
      mostPlaying = Math.max(mostPlaying, (await toy.keyStatus()).kemHeld);
    }
    for (let week = 0; week < 6; week++) {
      await send();
      for (let h = 0; h < 7 * 24; h += 6) {
        await advance(6 * 60 * 60 * 1000);
        await toy.sync();
        most = Math.max(most, (await toy.keyStatus()).kemHeld);
      }
    }
    while (await toy.playNext());
    await advance(3 * DAY);
    await toy.sync();
    const afterPlaying = (await toy.keyStatus()).kemHeld;
    // An identity renewal (§17.6), with settings and a name the guardian's device carries to the new
    // id: the toy asks, a guardian's device performs it, the toy's next wake-up switches. The old
    // identity's keys stay for the grace period beside the new one's.
    await mum.setToySettings(familyId, toy.toyId, { volume: 40 });
    await mum.renameToy(familyId, toy.toyId, 'Bunny');
    await toy.sync();
    const renewAsk = await cost(toyMeter, () => toy.renewIdentity());
    let performed = 0;
    const renewPerform = await cost(mumMeter, async () => (performed = await mum.approveRenewals(familyId)));
    if (performed !== 1) throw new Error('the guardian device did not perform the renewal');
    const renewSwitch = await cost(toyMeter, () => toy.sync());
    if ((await toy.settings())?.toyId !== toy.toyId) throw new Error('the settings did not follow the toy');
    const renewNext = await cost(toyMeter, () => toy.sync());
    const renewed = (await toy.keyStatus()).kemHeld;
    await advance(3 * DAY);
    await toy.sync();
    const renewedLater = (await toy.keyStatus()).kemHeld;
    console.log(`message keys held by the toy: at most ${mostPlaying} over 8 weeks played at once; at most ${most} with one unplayed message a week for 6 weeks; ${afterPlaying} once played and past the grace`);
    console.log('identity renewal, once (bodies only; CPU = this process):');
    for (const [label, run] of [
      ['toy asks (new keys registered, request filed)', renewAsk],
      ["guardian's device performs it (roster, settings, name)", renewPerform],
      ['toy wake-up that switches to its new id', renewSwitch],
      ['toy wake-up after it (peer)', renewNext],
    ] as const)
      console.log(summary(label, [run]));
    console.log(`after an identity renewal: ${renewed} (the old identity's kept for the grace period), ${renewedLater} after it`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
