/**
 * Canonical byte transcripts (docs/protocol.md §3). Everything that is signed, hashed or MACed is a
 * transcript: the ASCII label, a zero byte, then each field as a 4-byte big-endian length followed by
 * its bytes. Integers are 8-byte big-endian; strings are UTF-8. Length prefixes make the encoding
 * injective, so two different field lists can never produce the same bytes.
 */
import { concat, utf8, type Bytes } from './bytes.js';

export type Field = Bytes | string | number | boolean;

export function u64(value: number): Bytes {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('u64 out of range');
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function u32(value: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function fieldBytes(field: Field): Bytes {
  if (field instanceof Uint8Array) return field;
  if (typeof field === 'string') return utf8(field);
  if (typeof field === 'boolean') return Uint8Array.of(field ? 1 : 0);
  return u64(field);
}

export function transcript(label: string, fields: readonly Field[]): Bytes {
  const parts: Bytes[] = [utf8(label), Uint8Array.of(0)];
  for (const f of fields) {
    const b = fieldBytes(f);
    parts.push(u32(b.length), b);
  }
  return concat(...parts);
}

/** Labels, one per use, so no signature or MAC can be replayed in another context. */
export const Label = {
  deviceId: 'burrow/v1/device-id',
  deviceProof: 'burrow/v1/device-proof',
  roster: 'burrow/v1/roster',
  rosterHash: 'burrow/v1/roster-hash',
  envelope: 'burrow/v1/envelope',
  contentKey: 'burrow/v1/content-key',
  blob: 'burrow/v1/blob',
  meta: 'burrow/v1/meta',
  pairingKey: 'burrow/v1/pairing-key',
  pairingToyKeys: 'burrow/v1/pairing/toy-keys',
  pairingRoster: 'burrow/v1/pairing/roster',
  toySettings: 'burrow/v1/toy-settings',
  toySettingsV2: 'burrow/v1/toy-settings/v2',
  review: 'burrow/v1/review',
  fingerprint: 'burrow/v1/fingerprint',
  kemKey: 'burrow/v1/kem-key',
  deletion: 'burrow/v1/delete-message',
  succession: 'burrow/v1/succession',
  rosterRecovery: 'burrow/v1/roster-recovery',
  successionGuardian: 'burrow/v1/succession/guardian',
  favourite: 'burrow/v1/favourite',
} as const;
