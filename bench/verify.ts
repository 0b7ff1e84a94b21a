/**
 * What one Ed25519 signature check costs the server: the pure-JavaScript default (@noble/curves),
 * node:crypto on OpenSSL (what the server uses, packages/server/src/signatures/native-ed25519.ts),
 * and WebCrypto (the protocol's webCryptoVerifier, async: the work runs on libuv's threadpool).
 * The message is a real signed voice envelope's transcript, 3 recipients. Reported, not asserted.
 *
 *   npm run bench -- verify [--rounds 400]
 */
import {
  defaultVerifier,
  generateDeviceKeys,
  newFamilyId,
  newMessageId,
  sealEnvelope,
  secureRandom,
  verifyEnvelopeSignature,
  webCryptoVerifier,
  type SignatureVerifier,
} from '@burrow/protocol';
import { nativeVerify } from '../packages/server/src/signatures/native-ed25519.js';

export interface VerifyRow {
  label: string;
  /** Wall time per signature, median of 5 batches. */
  microseconds: number;
  /** CPU time per signature, all threads (WebCrypto's runs on the threadpool). */
  cpuMicroseconds: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(label: string, once: () => unknown, rounds: number): Promise<VerifyRow> {
  for (let i = 0; i < 10; i++) await once(); // warm-up (JIT, key cache)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let batch = 0; batch < 5; batch++) {
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < rounds; i++) await once();
    walls.push(((performance.now() - t) * 1000) / rounds);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / rounds);
  }
  return { label, microseconds: median(walls), cpuMicroseconds: median(cpus) };
}

/** Verifies one sealed voice envelope's signature `rounds` times per batch with each verifier. */
export async function benchVerify(rounds = 400): Promise<VerifyRow[]> {
  const sender = generateDeviceKeys(secureRandom);
  const devices = [generateDeviceKeys(secureRandom), generateDeviceKeys(secureRandom), generateDeviceKeys(secureRandom)];
  const { envelope } = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId: newFamilyId(secureRandom),
    sender,
    rosterVersion: 1,
    createdAt: Date.now(),
    recipients: devices.map((d) => ({ deviceId: d.deviceId, kemPublicKey: d.kemPublicKey })),
    meta: { senderName: 'Grandma', mimeType: 'audio/webm', durationMs: 12_000 },
    payload: secureRandom(48 * 1024),
    random: secureRandom,
  });
  const check = (verifier: SignatureVerifier) => () => {
    if (!verifyEnvelopeSignature(envelope, sender.signPublicKey, verifier)) throw new Error('signature refused');
  };
  // WebCrypto through the same transcript: capture what the check hands the seam, then verify async.
  let captured: [Uint8Array, Uint8Array, Uint8Array] | undefined;
  verifyEnvelopeSignature(envelope, sender.signPublicKey, (k, m, s) => ((captured = [k, m, s]), true));
  const webCrypto = webCryptoVerifier();
  const [k, m, s] = captured!;
  return [
    await measure('@noble/curves (pure JavaScript, the protocol default)', check(defaultVerifier), Math.max(10, Math.round(rounds / 10))),
    await measure('node:crypto (OpenSSL, synchronous; the server)', check(nativeVerify), rounds),
    await measure('WebCrypto (OpenSSL on the threadpool, awaited one by one)', async () => {
      if (!(await webCrypto(k, m, s))) throw new Error('signature refused');
    }, rounds),
  ];
}

/** Prints the table (used by bench/run.ts). */
export async function printVerify(rounds?: number): Promise<void> {
  console.log('Ed25519: verifying a sealed voice envelope (3 recipients), per signature, median of 5 batches\n');
  console.log('| verifier | wall µs | CPU µs | noble CPU ÷ this CPU |');
  console.log('|---|---|---|---|');
  const rows = await benchVerify(rounds);
  const base = rows[0]!.cpuMicroseconds;
  // CPU time is the steadier figure on a shared machine: wall time counts whatever else was running.
  for (const r of rows) console.log(`| ${r.label} | ${r.microseconds.toFixed(0)} | ${r.cpuMicroseconds.toFixed(0)} | ${(base / r.cpuMicroseconds).toFixed(1)}× |`);
}
