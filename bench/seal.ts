/**
 * Sealing cost and size. A 10-second voice message (Opus at 32 kbit/s ≈ 40 KB, and 16 kHz 16-bit WAV
 * = 320 KB) sealed for 3 devices, measured against its peer in the same run: one plain
 * XChaCha20-Poly1305 encryption of the same bytes (the least any encryption at rest would cost).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { generateDeviceKeys, newFamilyId, newMessageId, sealEnvelope, secureRandom, openEnvelope } from '@burrow/protocol';

export interface SealResult {
  label: string;
  plaintextBytes: number;
  blobBytes: number;
  envelopeBytes: number;
  overheadBytes: number;
  sealMs: number;
  peerMs: number;
  ratio: number;
  openMs: number;
}

async function time(fn: () => unknown, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - start) / runs;
}

export async function benchSeal(runs = 30): Promise<SealResult[]> {
  const devices = [generateDeviceKeys(secureRandom), generateDeviceKeys(secureRandom), generateDeviceKeys(secureRandom)];
  const sender = generateDeviceKeys(secureRandom);
  const familyId = newFamilyId(secureRandom);
  const results: SealResult[] = [];
  for (const [label, size] of [['10 s Opus 32 kbit/s', 40_000], ['10 s WAV 16 kHz mono', 320_000]] as const) {
    const audio = secureRandom(size);
    const seal = () =>
      sealEnvelope({ kind: 'voice', id: newMessageId(secureRandom), familyId, sender, rosterVersion: 1, createdAt: Date.now(), recipients: devices.map((d) => ({ deviceId: d.deviceId, kemPublicKey: d.kemPublicKey })), meta: { senderName: 'Grandma', mimeType: 'audio/ogg', durationMs: 10_000 }, payload: audio, random: secureRandom });
    const sealed = await seal();
    const envelopeBytes = JSON.stringify(sealed.envelope).length;
    const key = secureRandom(32);
    const sealMs = await time(seal, runs);
    const peerMs = await time(() => xchacha20poly1305(key, secureRandom(24)).encrypt(audio), runs);
    const openMs = await time(() => openEnvelope(sealed.envelope, sealed.blob, devices[0]!), runs);
    results.push({ label, plaintextBytes: size, blobBytes: sealed.blob!.length, envelopeBytes, overheadBytes: sealed.blob!.length + envelopeBytes - size, sealMs, peerMs, ratio: sealMs / peerMs, openMs });
  }
  return results;
}
