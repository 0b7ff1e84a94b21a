/**
 * @hpke/* falls back to `import("crypto")` (Node's webcrypto) where `globalThis.crypto` is missing.
 * Browsers always have it; this stands in for the Node module in the bundle (vite.config.ts alias).
 */
export const webcrypto: Crypto = globalThis.crypto;
