/**
 * The one error type of the protocol. Codes are a closed set; messages are terse on purpose so a
 * parse or decrypt failure tells an attacker nothing beyond "rejected".
 */
export type ProtocolErrorCode =
  | 'malformed' // input does not match the wire format (docs/protocol.md §2)
  | 'unsupported_version' // the version tag is not one this implementation speaks
  | 'bad_signature' // an Ed25519 signature does not verify
  | 'bad_chain' // a roster does not chain from the pinned one (§4.3)
  | 'not_authorized' // the signer or sender lacks the role or permission required
  | 'decrypt_failed' // AEAD or HPKE open failed
  | 'hash_mismatch' // a ciphertext hash does not match the signed envelope
  | 'bad_pairing_code' // a pairing code is not well formed
  | 'bad_pairing_tag'; // a pairing MAC does not verify (§5)

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Narrowing guard in the style of libsignal's `is(err, code)`. */
export function isProtocolError(err: unknown, code?: ProtocolErrorCode): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code);
}

/** Throws `malformed` unless `condition` holds; used by every parser. */
export function expect(condition: unknown, what: string): asserts condition {
  if (!condition) throw new ProtocolError('malformed', `Malformed ${what}.`);
}
