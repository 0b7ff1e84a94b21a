/**
 * Burrow's side of each measurement, through the real HTTP API and the real WebSocket stream:
 * open-loop delivery to a toy, durable sends from many senders, delivery during a sign-in storm,
 * and registering the toys whose memory toy-memory.ts reads.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Label, transcript, fromBase64url } from '@burrow/protocol';
import { PASSWORD } from '../../packages/server/src/testing/fixtures.js';
import { sealMessages, sendSealed, sendSealedRetrying, type Cast, type Sealed } from './family.js';
import { openLoop, Tracker, type LatencyResult } from './open-loop.js';
import { pool, sleep } from './stats.js';

/**
 * Open-loop delivery of `sealed` at `rate` to the cast's toy; latency until the toy holds envelope
 * and blob. A send refused with 503 is sent again after its Retry-After until the measurement ends
 * (sendSealedRetrying), as a device's outbox does: a refusal delays a message, it does not drop it.
 */
export async function burrowOpenLoop(cast: Cast, sealed: readonly Sealed[], rate: number, drainMs: number): Promise<LatencyResult> {
  const tracker = new Tracker();
  cast.toyClient.onHeld = (id) => tracker.held(id);
  return openLoop(
    rate,
    sealed.map((m) => m.envelope.id),
    async (i) => {
      const message = sealed[i]!;
      const sent = await sendSealedRetrying(cast.url, cast.fam.familyId, message, () => {
        if (tracker.open) tracker.retrying(message.envelope.id);
        return tracker.open;
      });
      if (sent.acknowledged) tracker.acknowledged(message.envelope.id);
      return sent.acknowledged;
    },
    tracker,
    drainMs,
  );
}

/** Closed loop: `concurrency` senders each send the next sealed message as soon as the last was acknowledged. Acknowledged messages per second. */
export async function burrowDurableRate(cast: Cast, sealed: readonly Sealed[], concurrency: number, durationMs: number): Promise<number> {
  return closedLoop(sealed.length, concurrency, durationMs, (i) => sendSealed(cast.url, cast.fam.familyId, sealed[i]!));
}

/** The anchor's closed loop: each body (the same bytes as a sealed message's blob and envelope) POSTed to the bare fsync server. */
export async function bareDurableRate(url: string, bodies: readonly Uint8Array[], concurrency: number, durationMs: number): Promise<number> {
  return closedLoop(bodies.length, concurrency, durationMs, async (i) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bodies[i]! });
    await res.arrayBuffer();
    return res.status === 201;
  });
}

async function closedLoop(available: number, concurrency: number, durationMs: number, send: (i: number) => Promise<boolean>): Promise<number> {
  let next = 0;
  let acknowledged = 0;
  const started = performance.now();
  const until = started + durationMs;
  let last = started;
  const worker = async (): Promise<void> => {
    while (performance.now() < until && next < available) {
      if (await send(next++)) acknowledged++;
      last = performance.now();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return acknowledged / ((last - started) / 1000);
}

/**
 * Delivery at `rate` while `loginsPerSecond` sign-ins (argon2id at the production cost) arrive
 * open loop for as long as messages are being sent; with 0 sign-ins this is the baseline.
 */
export async function burrowDeliveryDuringLogins(cast: Cast, sealed: readonly Sealed[], rate: number, loginsPerSecond: number, drainMs: number): Promise<LatencyResult & { logins: number }> {
  let stop = false;
  let logins = 0;
  const storm = (async () => {
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; loginsPerSecond > 0 && !stop; i++) {
      const wait = t0 + (i * 1000) / loginsPerSecond - performance.now();
      if (wait > 1) await sleep(wait);
      inFlight.push(
        fetch(`${cast.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: cast.guardian.email, password: PASSWORD }) }).then(async (r) => {
          await r.arrayBuffer();
          if (r.ok) logins++;
        }),
      );
    }
    await Promise.all(inFlight);
  })();
  const sendingMs = (sealed.length * 1000) / rate;
  const stopper = setTimeout(() => (stop = true), sendingMs);
  try {
    return { ...(await burrowOpenLoop(cast, sealed, rate, drainMs)), logins };
  } finally {
    clearTimeout(stopper);
    stop = true;
    await storm;
  }
}

/** Seals `count` messages for the cast (before any clock starts). */
export function seal(cast: Cast, count: number, audioBytes: number): Promise<Sealed[]> {
  return sealMessages(cast, count, audioBytes);
}

/** A registered toy: its bearer token. */
export interface RegisteredToy {
  token: string;
}

function rawPublic(key: KeyObject): string {
  return key.export({ format: 'jwk' }).x!;
}

/**
 * Registers `n` toys through POST /v1/toys. Their keys are made and their proofs signed with
 * node:crypto (the same transcript as makeDeviceProof, docs/protocol.md §2.3) because noble would
 * spend minutes of the run on 10,000 key pairs; the server checks them exactly as any toy's.
 */
export async function registerToys(url: string, n: number): Promise<RegisteredToy[]> {
  const toys: RegisteredToy[] = [];
  await pool(Array.from({ length: n }, (_, i) => i), 16, async () => {
    const signing = generateKeyPairSync('ed25519');
    const kem = generateKeyPairSync('x25519');
    const signPublicKey = rawPublic(signing.publicKey);
    const kemPublicKey = rawPublic(kem.publicKey);
    const message = transcript(Label.deviceProof, ['toy', fromBase64url(signPublicKey, 32), fromBase64url(kemPublicKey, 32)]);
    const proof = sign(null, message, signing.privateKey).toString('base64url');
    const res = await fetch(`${url}/v1/toys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signPublicKey, kemPublicKey, proof }) });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 201 || !body.token) throw new Error(`registerToy: ${String(res.status)}`);
    toys.push({ token: body.token });
  });
  return toys;
}
