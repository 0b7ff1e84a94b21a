/** npm run bench — prints each benchmark as a ratio against the peer measured in the same run. */
import { benchLogin } from './login.js';
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

console.log('\nSign-in throughput (argon2id m=19456 t=2 p=1, 16 concurrent clients, 5 s)');
console.log('peer: GET /healthz latency on the idle server, same run\n');
const l = await benchLogin();
console.log(
  `${l.loginsPerSecond.toFixed(1)} sign-ins/s (${l.failures} refused); /healthz p50 ${l.loaded.p50.toFixed(2)} ms vs idle ${l.idle.p50.toFixed(2)} ms ` +
    `= ${(l.loaded.p50 / l.idle.p50).toFixed(1)}×, p99 ${l.loaded.p99.toFixed(2)} ms vs ${l.idle.p99.toFixed(2)} ms = ${(l.loaded.p99 / l.idle.p99).toFixed(1)}×`,
);
console.log('\nBackups: npx tsx bench/backup.ts (10,000 messages; minutes).');
