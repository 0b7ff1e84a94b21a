/** Byte helpers shared by every module: base64url (RFC 4648 §5, unpadded), UTF-8, comparison. */
import { base64urlnopad } from '@scure/base';
import { ProtocolError } from './errors.js';

export type Bytes = Uint8Array;

const B64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64url(bytes: Bytes): string {
  return base64urlnopad.encode(bytes);
}

/** Decodes unpadded base64url; rejects padding, other alphabets and non-canonical trailing bits. */
export function fromBase64url(text: string, expectedLength?: number): Bytes {
  if (typeof text !== 'string' || !B64URL.test(text)) throw new ProtocolError('malformed', 'Malformed base64url.');
  let out: Bytes;
  try {
    out = base64urlnopad.decode(text);
  } catch {
    throw new ProtocolError('malformed', 'Malformed base64url.');
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new ProtocolError('malformed', `Expected ${expectedLength} bytes.`);
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Bytes {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Bytes): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ProtocolError('malformed', 'Malformed UTF-8.');
  }
}

export function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-time equality for MACs and hashes (length is public). */
export function equalBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Source of randomness; injected so tests and vectors are deterministic. */
export type RandomSource = (length: number) => Bytes;
