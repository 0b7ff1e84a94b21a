/**
 * Builds the signed-update test vector (docs/protocol.md §13.4) deterministically. The checked-in
 * file test-vectors/update-v1.json was written by scripts/make-update-vectors.ts from this function;
 * update-manifest.test.ts checks that the code reproduces it and that the toy's checks accept it.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { toBase64url, utf8 } from '../bytes.js';
import { encodeUpdateBundle, releaseKeyFromSeed, signUpdate, updateManifestTranscript, type UpdateManifestWire } from '../update-manifest.js';
import { seededRandom } from './seeded-random.js';

export interface UpdateVectors {
  description: string;
  /** The release key's seed (secret: a vector only) and its public half, base64url. */
  releaseSeed: string;
  releasePublicKey: string;
  /** What a toy running `installedVersion` for `target` checks the bundle against. */
  target: string;
  installedVersion: string;
  manifest: UpdateManifestWire;
  /** The signed transcript of the manifest (§13.1), hex. */
  transcriptHex: string;
  /** The payload (UTF-8 text here, any bytes in general), base64url. */
  payload: string;
  /** The whole bundle (§13.2), hex. */
  bundleHex: string;
}

export function buildUpdateVectors(): UpdateVectors {
  const seed = seededRandom('burrow vectors release key')(32);
  const { secretKey, publicKey } = releaseKeyFromSeed(seed);
  const payload = utf8('burrow-toy 1.1.0: a payload for the test vector\n');
  const bundle = signUpdate({ target: 'burrow-toy', version: '1.1.0', minVersion: '1.0.0', releasedAt: 1_790_000_000_000, notes: 'Quieter start-up chime.' }, payload, secretKey);
  return {
    description: 'Burrow signed toy update v1 (docs/protocol.md §13). Regenerate with: npx tsx packages/protocol/scripts/make-update-vectors.ts',
    releaseSeed: toBase64url(seed),
    releasePublicKey: toBase64url(publicKey),
    target: 'burrow-toy',
    installedVersion: '1.0.0',
    manifest: bundle.manifest,
    transcriptHex: bytesToHex(updateManifestTranscript(bundle.manifest)),
    payload: toBase64url(payload),
    bundleHex: bytesToHex(encodeUpdateBundle(bundle)),
  };
}
