/**
 * Signed toy updates (docs/protocol.md §13). A release key, kept offline by the maker, signs a
 * manifest (target, version, minimum version, payload size and SHA-256, release notes); a bundle is
 * the manifest and the payload in one byte string. The toy pins the release public key at build time
 * and refuses anything that is not signed by it, is for another target, is not newer than what runs,
 * needs a newer base version, or whose payload is not exactly the signed size and hash. The server
 * only stores and serves bundles: without the release key it cannot make one a toy accepts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equalBytes, fromBase64url, fromUtf8, toBase64url, utf8, type Bytes, type RandomSource } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { verify } from './keys.js';
import type { SignatureVerifier } from './signature.js';
import { transcript } from './transcript.js';

declare const role: unique symbol;
/** The maker's offline release signing key (Ed25519 seed); never on a server or a toy. */
export type ReleaseSecretKey = Bytes & { readonly [role]: 'release-secret' };
/** The release key's public half, pinned in the toy at build time. */
export type ReleasePublicKey = Bytes & { readonly [role]: 'release-public' };

/** Domain separation: a release signature can never be read as any other Burrow signature. */
export const UPDATE_MANIFEST_LABEL = 'burrow/v1/update-manifest';
/** First bytes of a bundle: the format and its version tag, then a zero byte. */
export const UPDATE_BUNDLE_MAGIC = 'burrow-update/v1';
export const MAX_RELEASE_NOTES = 4096;
/** A toy update is a few megabytes; anything past this is refused before hashing. */
export const MAX_UPDATE_PAYLOAD = 256 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 16 * 1024;

export interface UpdateManifestBody {
  v: 1;
  /** What the payload runs on, e.g. "burrow-toy" or "burrow-toy/pi-zero-2w": the toy refuses another. */
  target: string;
  /** MAJOR.MINOR.PATCH of the payload; a toy accepts only a higher one than it runs. */
  version: string;
  /** The lowest installed version this payload may be applied over (older toys step through it). */
  minVersion: string;
  /** Payload length in bytes. */
  size: number;
  /** SHA-256 of the payload, base64url. */
  sha256: string;
  /** Milliseconds since the epoch, set by the signer. */
  releasedAt: number;
  notes: string;
}

export type UpdateManifestWire = UpdateManifestBody & { signature: string };

export interface UpdateBundle {
  manifest: UpdateManifestWire;
  payload: Bytes;
}

const TARGET = /^[a-z0-9][a-z0-9._/-]{0,63}$/;
const VERSION = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$/;

/** Whether `text` is a MAJOR.MINOR.PATCH version this format accepts (no pre-release tags). */
export function isUpdateVersion(text: unknown): text is string {
  return typeof text === 'string' && VERSION.test(text);
}

/** Orders two versions numerically: negative if `a` < `b`, zero if equal, positive if `a` > `b`. */
export function compareVersions(a: string, b: string): number {
  expect(isUpdateVersion(a) && isUpdateVersion(b), 'version');
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** A fresh release key pair from 32 random bytes (`burrow release keygen`). */
export function generateReleaseKey(random: RandomSource): { secretKey: ReleaseSecretKey; publicKey: ReleasePublicKey } {
  return releaseKeyFromSeed(random(32));
}

export function releaseKeyFromSeed(seed: Bytes): { secretKey: ReleaseSecretKey; publicKey: ReleasePublicKey } {
  expect(seed.length === 32, 'release key');
  return { secretKey: seed.slice() as ReleaseSecretKey, publicKey: ed25519.getPublicKey(seed) as ReleasePublicKey };
}

/** Reads a pinned release public key from its base64url form (32 bytes). */
export function parseReleasePublicKey(text: string): ReleasePublicKey {
  return fromBase64url(text, 32) as ReleasePublicKey;
}

/** The signed bytes (§13.1): the label and the manifest's fields in a fixed order (§3 encoding). */
export function updateManifestTranscript(m: UpdateManifestBody): Bytes {
  return transcript(UPDATE_MANIFEST_LABEL, [m.target, m.version, m.minVersion, m.size, fromBase64url(m.sha256, 32), m.releasedAt, m.notes]);
}

/** Signs a release: fills size and hash from the payload, so they cannot disagree with it. */
export function signUpdate(
  body: Omit<UpdateManifestBody, 'v' | 'size' | 'sha256'>,
  payload: Bytes,
  secretKey: ReleaseSecretKey,
): UpdateBundle {
  const manifest: UpdateManifestBody = { v: 1, ...body, size: payload.length, sha256: toBase64url(sha256(payload)) };
  checkBody(manifest);
  return { manifest: { ...manifest, signature: toBase64url(ed25519.sign(updateManifestTranscript(manifest), secretKey)) }, payload };
}

function checkBody(m: UpdateManifestBody): void {
  expect(typeof m.target === 'string' && TARGET.test(m.target), 'update target');
  expect(isUpdateVersion(m.version) && isUpdateVersion(m.minVersion), 'update version');
  expect(compareVersions(m.minVersion, m.version) < 0, 'update minimum version');
  expect(Number.isSafeInteger(m.size) && m.size >= 0 && m.size <= MAX_UPDATE_PAYLOAD, 'update size');
  expect(Number.isSafeInteger(m.releasedAt) && m.releasedAt >= 0, 'update releasedAt');
  expect(typeof m.notes === 'string' && m.notes.length <= MAX_RELEASE_NOTES, 'release notes');
}

/** MUST-rejects of §13.1: the version tag, every field's form, a 32-byte hash, a 64-byte signature. */
export function parseUpdateManifest(json: unknown): UpdateManifestWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'update manifest');
  const m = json as Record<string, unknown>;
  if (m.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported update manifest version.');
  expect(typeof m.sha256 === 'string' && typeof m.signature === 'string', 'update manifest');
  fromBase64url(m.sha256, 32);
  fromBase64url(m.signature, 64);
  const body = { v: 1, target: m.target, version: m.version, minVersion: m.minVersion, size: m.size, sha256: m.sha256, releasedAt: m.releasedAt, notes: m.notes } as UpdateManifestBody;
  checkBody(body);
  return { ...body, signature: m.signature };
}

const u32 = (n: number): Bytes => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

/** The bundle's bytes (§13.2): magic, zero, u32 manifest length, manifest JSON (UTF-8), payload. */
export function encodeUpdateBundle(bundle: UpdateBundle): Bytes {
  const manifest = utf8(JSON.stringify(bundle.manifest));
  return concat(utf8(UPDATE_BUNDLE_MAGIC), Uint8Array.of(0), u32(manifest.length), manifest, bundle.payload);
}

/**
 * Splits a bundle into its parsed manifest and payload. Rejects a wrong magic, a manifest length
 * past the end, and a payload whose length is not the manifest's size (a truncated or padded file).
 * It does not verify: call verifyUpdate.
 */
export function decodeUpdateBundle(bytes: Bytes): UpdateBundle {
  const magic = utf8(UPDATE_BUNDLE_MAGIC);
  const head = magic.length + 1 + 4;
  expect(bytes.length >= head && equalBytes(bytes.subarray(0, magic.length), magic) && bytes[magic.length] === 0, 'update bundle');
  const length = new DataView(bytes.buffer, bytes.byteOffset + magic.length + 1, 4).getUint32(0);
  expect(length <= MAX_MANIFEST_BYTES && head + length <= bytes.length, 'update bundle');
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes.subarray(head, head + length)));
  } catch {
    throw new ProtocolError('malformed', 'Malformed update bundle.');
  }
  const manifest = parseUpdateManifest(json);
  const payload = bytes.subarray(head + length);
  if (payload.length !== manifest.size) throw new ProtocolError('hash_mismatch', 'Update payload is not the signed size.');
  return { manifest, payload };
}

/** What the toy checks a bundle against: its pinned key, its own target and the version it runs. */
export interface UpdateExpectation {
  releaseKey: ReleasePublicKey;
  target: string;
  installedVersion: string;
}

/**
 * The toy's acceptance rule (§13.3): the target, a strictly newer version (no downgrade, no
 * re-install), the installed version at least minVersion, the payload's size and SHA-256, and the
 * signature by the pinned release key. All must hold; the cheap field checks come first so a refusal
 * names the most specific reason. Throws ProtocolError: not_authorized (target), bad_chain (downgrade
 * or too old a base), hash_mismatch, bad_signature.
 */
export function verifyUpdate(bundle: UpdateBundle, expected: UpdateExpectation, verifier: SignatureVerifier = verify): void {
  const m = bundle.manifest;
  if (m.target !== expected.target) throw new ProtocolError('not_authorized', 'Update for another target.');
  if (compareVersions(m.version, expected.installedVersion) <= 0) throw new ProtocolError('bad_chain', 'Update is not newer than the installed version.');
  if (compareVersions(expected.installedVersion, m.minVersion) < 0) throw new ProtocolError('bad_chain', 'Update needs a newer installed version.');
  if (bundle.payload.length !== m.size || !equalBytes(sha256(bundle.payload), fromBase64url(m.sha256, 32))) {
    throw new ProtocolError('hash_mismatch', 'Update payload does not match its manifest.');
  }
  if (!verifier(expected.releaseKey, updateManifestTranscript(m), fromBase64url(m.signature, 64))) {
    throw new ProtocolError('bad_signature', 'Update not signed by the release key.');
  }
}
