/**
 * The benchmark's cast, set up through Burrow's real HTTP API with the test fixtures: a guardian
 * with `senders` registered devices (all guardians in the roster, so each may send to the toy),
 * her family and child, and one toy paired through the real pairing flow and connected to the stream. Also sealed voice
 * messages, made before any clock starts.
 */
import { randomBytes } from 'node:crypto';
import { generateDeviceKeys, secureRandom, type DeviceKeys, type EnvelopeWire } from '@burrow/protocol';
import {
  deviceKeysBody,
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  sealedVoice,
  type Family,
  type Person,
  type Toy,
} from '../../packages/server/src/testing/fixtures.js';
import { httpClient, type Call } from '../../packages/server/src/testing/http.js';
import { connectToy, type ToyClient } from './toy-client.js';

/** A device that sends: its session token and device id (the X-Burrow-Device header) and keys. */
export interface Sender {
  token: string;
  deviceId: string;
  keys: DeviceKeys;
}

export interface Cast {
  url: string;
  call: Call;
  fam: Family;
  guardian: Person;
  senders: Sender[];
  toy: Toy;
  /** The toy, connected to the stream for the whole run. */
  toyClient: ToyClient;
}

/** One sealed voice message as it goes on the wire: the envelope JSON and the blob. */
export interface Sealed {
  sender: Sender;
  envelope: EnvelopeWire;
  blob: Uint8Array;
  hash: string;
}

export async function setUpCast(url: string, senders = 1): Promise<Cast> {
  const call = httpClient(url);
  const guardian = await person(call, 'bench-guardian');
  const fam = await family(call, guardian);
  const toy = await pairToy(call, fam);
  const all: Sender[] = [{ token: guardian.token, deviceId: guardian.keys.deviceId, keys: guardian.keys }];
  for (let i = 1; i < senders; i++) {
    const keys = generateDeviceKeys(secureRandom);
    expectStatus(await call('POST', '/v1/devices', { token: guardian.token, body: deviceKeysBody(keys, 'device') }), 201, 'registerDevice');
    all.push({ token: guardian.token, deviceId: keys.deviceId, keys });
  }
  if (senders > 1) await publish(call, fam, [...fam.roster.devices, ...all.slice(1).map((s) => entry(s.keys, 'guardian'))]);
  const toyClient = await connectToy(url, toy.token);
  return { url, call, fam, guardian, senders: all, toy, toyClient };
}

/** `count` sealed voice messages of `bytes` of audio each, to the toy, round-robin over the senders. */
export async function sealMessages(cast: Cast, count: number, bytes: number): Promise<Sealed[]> {
  const out: Sealed[] = [];
  for (let i = 0; i < count; i++) {
    const sender = cast.senders[i % cast.senders.length]!;
    const { envelope, blob, hash } = await sealedVoice(sender.keys, cast.fam.roster, [cast.toy.keys], randomBytes(bytes));
    out.push({ sender, envelope, blob, hash });
  }
  return out;
}

/** Sends one sealed message the way a device does: the blob (PUT), then the envelope (POST). Resolves to whether both were acknowledged. */
export async function sendSealed(url: string, familyId: string, message: Sealed): Promise<boolean> {
  return (await putBlob(url, familyId, message)).status === 201 && (await postEnvelope(url, familyId, message)).status === 201;
}

/** One step's answer: its status, and the Retry-After a 503 carried (seconds; undefined without one). */
interface StepAnswer {
  status: number;
  retryAfterS: number | undefined;
}

const senderHeaders = (message: Sealed) => ({ authorization: `Bearer ${message.sender.token}`, 'x-burrow-device': message.sender.deviceId });

async function answer(res: Response): Promise<StepAnswer> {
  await res.arrayBuffer();
  const value = res.headers.get('retry-after');
  return { status: res.status, retryAfterS: value !== null && /^\d{1,6}$/.test(value) ? Number(value) : undefined };
}

function putBlob(url: string, familyId: string, message: Sealed): Promise<StepAnswer> {
  return fetch(`${url}/v1/families/${familyId}/blobs/${message.hash}`, {
    method: 'PUT',
    headers: { ...senderHeaders(message), 'content-type': 'application/octet-stream' },
    body: message.blob,
  }).then(answer);
}

function postEnvelope(url: string, familyId: string, message: Sealed): Promise<StepAnswer> {
  return fetch(`${url}/v1/families/${familyId}/messages`, {
    method: 'POST',
    headers: { ...senderHeaders(message), 'content-type': 'application/json' },
    body: JSON.stringify({ envelope: message.envelope }),
  }).then(answer);
}

/** What a retrying send did. */
export interface RetriedSend {
  acknowledged: boolean;
  /** 503 answers (upload and send together) it was told to come back after. */
  refusals: number;
}

/**
 * Sends one sealed message as a device that keeps its outbox does: each step refused with 503 and a
 * Retry-After (the server's back-pressure, http/admission.ts) is sent again after that wait, for
 * as long as `keepTrying()` says, so a refusal delays the message instead of losing it (issue #11's
 * "nothing lost" past saturation). Only the refused step is repeated: an upload already acknowledged
 * is not sent twice. Any other answer ends the send.
 */
export async function sendSealedRetrying(url: string, familyId: string, message: Sealed, keepTrying: () => boolean): Promise<RetriedSend> {
  let refusals = 0;
  for (const step of [putBlob, postEnvelope]) {
    for (;;) {
      const { status, retryAfterS } = await step(url, familyId, message);
      if (status === 201) break;
      if (status !== 503 || retryAfterS === undefined || !keepTrying()) return { acknowledged: false, refusals };
      refusals += 1;
      await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
      if (!keepTrying()) return { acknowledged: false, refusals };
    }
  }
  return { acknowledged: true, refusals };
}
