/** @burrow/protocol — wire formats and cryptography, isomorphic and free of I/O. See docs/protocol.md. */
export * from './bytes.js';
export * from './errors.js';
export * from './transcript.js';
export * from './ids.js';
export * from './keys.js';
export * from './signature.js';
export * from './hpke.js';
export * from './roster.js';
export * from './envelope.js';
export * from './pairing.js';
export * from './toy-settings.js';
export * from './update-manifest.js';
export * from './review.js';
export * from './fingerprint.js';
export * from './kem-key-record.js';
export * from './rules.js';
export * from './random.js';
