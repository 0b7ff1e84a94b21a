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
  const headers = { authorization: `Bearer ${message.sender.token}`, 'x-burrow-device': message.sender.deviceId };
  const put = await fetch(`${url}/v1/families/${familyId}/blobs/${message.hash}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: message.blob,
  });
  await put.arrayBuffer();
  if (put.status !== 201) return false;
  const post = await fetch(`${url}/v1/families/${familyId}/messages`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ envelope: message.envelope }),
  });
  await post.arrayBuffer();
  return post.status === 201;
}
