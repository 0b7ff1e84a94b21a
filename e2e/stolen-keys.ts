/**
 * A thief's search of a stolen toy's data folder (shared by the rotation tests): every 32-byte value
 * it holds, tried as the toy's KEM key on a message copied from the server before.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64url, openEnvelope, type DeviceKeys, type EnvelopeWire, type KemSecretKey } from '@burrow/protocol';

/** Every file under `dir`, depth first (nothing when it does not exist). */
export function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** Every 32-byte value the toy's data folder holds, in base64url or hex (how a thief would look). */
export function storedSecrets(dataDir: string): Uint8Array[] {
  const found = new Map<string, Uint8Array>();
  for (const file of filesUnder(dataDir)) {
    const text = readFileSync(file, 'latin1');
    // Whole tokens only: a 32-byte value is stored as its own string (a JSON field), not inside a blob.
    for (const m of text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)) {
      try {
        found.set(m[0], fromBase64url(m[0], 32));
      } catch {
        // not a 32-byte value
      }
    }
    for (const m of text.matchAll(/(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g))
      found.set(m[0], Uint8Array.from(Buffer.from(m[0], 'hex')));
  }
  return [...found.values()];
}

/** Whether the toy's slot of `envelope` opens with `secret` as its KEM key. */
export async function opensWith(envelope: EnvelopeWire, blob: Uint8Array, toyKeys: DeviceKeys, secret: Uint8Array): Promise<boolean> {
  try {
    await openEnvelope(envelope, blob, { ...toyKeys, kemSecretKey: secret as KemSecretKey });
    return true;
  } catch {
    return false;
  }
}
