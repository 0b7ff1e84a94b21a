import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandPlayer, filePlayer, scaleWav } from './audio-io.js';

/** A 16-bit PCM mono WAV with the given samples (a LIST chunk before `data`, as some encoders write). */
function wav(samples: number[]): Uint8Array {
  const list = Buffer.from('LIST\x04\x00\x00\x00INFO', 'latin1');
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8); // PCM
  fmt.writeUInt16LE(1, 10); // mono
  fmt.writeUInt32LE(16000, 12);
  fmt.writeUInt32LE(32000, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(data.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), fmt, list, dataHeader, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return new Uint8Array(Buffer.concat([riff, body]));
}

const samplesOf = (bytes: Uint8Array): number[] => {
  const b = Buffer.from(bytes);
  const at = b.indexOf('data', 12, 'latin1') + 8;
  return Array.from({ length: (b.length - at) / 2 }, (_, i) => b.readInt16LE(at + i * 2));
};

test('the file speaker scales 16-bit PCM WAV samples by the settings volume', () => {
  const input = wav([1000, -2000, 32767, -32768, 0]);
  assert.deepEqual(samplesOf(scaleWav(input, 50)), [500, -1000, 16384, -16384, 0]);
  assert.deepEqual(samplesOf(scaleWav(input, 0)), [0, 0, 0, 0, 0]);
  assert.equal(scaleWav(input, 100), input, 'full volume leaves the bytes alone');
  assert.deepEqual(samplesOf(input), [1000, -2000, 32767, -32768, 0], 'the input is not modified');
  const dir = mkdtempSync(join(tmpdir(), 'burrow-speaker-'));
  try {
    void filePlayer(dir)(input, { messageId: 'm1', mimeType: 'audio/wav', volume: 25 });
    assert.deepEqual(samplesOf(new Uint8Array(readFileSync(join(dir, 'm1.wav')))), [250, -500, 8192, -8192, 0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('audio that is not 16-bit PCM WAV is played as it is', () => {
  const ogg = new TextEncoder().encode('OggS not a wav');
  assert.equal(scaleWav(ogg, 10), ogg);
});

test('a speaker command gets the volume as {volume} and BURROW_VOLUME', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-speaker-'));
  try {
    const out = join(dir, 'out.txt');
    await commandPlayer(`cat > /dev/null; echo "{volume} $BURROW_VOLUME" > ${out}`)(new Uint8Array([1, 2, 3]), { messageId: 'm', volume: 35 });
    assert.equal(readFileSync(out, 'utf8').trim(), '35 35');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
