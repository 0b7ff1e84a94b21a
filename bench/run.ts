/** npm run bench — prints each benchmark as a ratio against the peer measured in the same run. */
import { benchSeal } from './seal.js';

console.log('Sealing a voice message for 3 devices (HPKE per device + XChaCha20-Poly1305 + Ed25519)');
console.log('peer: one plain XChaCha20-Poly1305 encryption of the same bytes, same run\n');
for (const r of await benchSeal()) {
  console.log(
    `${r.label}: plaintext ${r.plaintextBytes} B → blob ${r.blobBytes} B + envelope ${r.envelopeBytes} B ` +
      `(overhead ${r.overheadBytes} B, ${((100 * r.overheadBytes) / r.plaintextBytes).toFixed(2)} %); ` +
      `seal ${r.sealMs.toFixed(2)} ms vs peer ${r.peerMs.toFixed(2)} ms = ${r.ratio.toFixed(1)}×; open ${r.openMs.toFixed(2)} ms`,
  );
}
