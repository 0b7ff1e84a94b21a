/**
 * The toy's speaker and microphone. On hardware they are commands (aplay, arecord); here they are
 * configurable: play pipes the decrypted audio to a command's stdin or, by default, writes a file;
 * record reads a command's stdout or a file.
 *
 * Volume (0-100, from the guardian-signed toy settings) reaches the speaker as follows: a command
 * gets it as `{volume}` in its text (e.g. `mpv --volume={volume} -`) and as BURROW_VOLUME in its
 * environment; the file speaker scales 16-bit PCM WAV samples itself and writes other formats as
 * they are (compressed audio cannot be scaled without decoding it).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Player = (audio: Uint8Array, info: { messageId: string; mimeType?: string; volume?: number }) => Promise<string>;
export type Recorder = () => Promise<Uint8Array>;

function extensionFor(mimeType: string | undefined): string {
  if (!mimeType) return 'bin';
  if (mimeType.includes('ogg')) return 'ogg';
  if (mimeType.includes('webm')) return 'webm';
  if (mimeType.includes('wav')) return 'wav';
  if (mimeType.includes('mpeg')) return 'mp3';
  return 'bin';
}

/** Default speaker: writes each played message to <dir>/<messageId>.<ext>, owner-only. */
export function filePlayer(dir: string): Player {
  return (audio, info) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${info.messageId}.${extensionFor(info.mimeType)}`);
    writeFileSync(path, info.volume === undefined ? audio : scaleWav(audio, info.volume), { mode: 0o600 });
    return Promise.resolve(path);
  };
}

/**
 * Scales the samples of a 16-bit PCM WAV (RIFF, format 1) by volume/100; anything else is returned
 * unchanged. Walks the RIFF chunks to find `fmt ` and `data` rather than assuming a 44-byte header.
 */
export function scaleWav(audio: Uint8Array, volume: number): Uint8Array {
  const v = Math.max(0, Math.min(100, volume)) / 100;
  if (v === 1 || audio.length < 12) return audio;
  const view = new DataView(audio.buffer, audio.byteOffset, audio.byteLength);
  const tag = (at: number) => String.fromCharCode(...audio.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return audio;
  let pcm16 = false;
  for (let at = 12; at + 8 <= audio.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && size >= 16) pcm16 = view.getUint16(body, true) === 1 && view.getUint16(body + 14, true) === 16;
    if (id === 'data') {
      if (!pcm16) return audio;
      const out = audio.slice();
      const outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const end = Math.min(body + size, audio.length) & ~1;
      for (let i = body; i + 2 <= end; i += 2) outView.setInt16(i, Math.round(view.getInt16(i, true) * v), true);
      return out;
    }
    at = body + size + (size % 2);
  }
  return audio;
}

/**
 * Speaker command, e.g. `aplay -q -` or `mpv --volume={volume} -`: run through the shell, audio on
 * stdin, `{volume}` replaced by the settings' volume (0-100) and BURROW_VOLUME set to it.
 */
export function commandPlayer(command: string): Player {
  return (audio, info) =>
    new Promise((resolve, reject) => {
      const volume = String(Math.round(info.volume ?? 100));
      const child = spawn(command.replaceAll('{volume}', volume), { shell: true, stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, BURROW_VOLUME: volume } });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(command) : reject(new Error(`player exited with ${code}`))));
      child.stdin.end(audio);
    });
}

/** Microphone command, e.g. `arecord -q -d 10 -f S16_LE -r 16000 -t wav -`: its stdout is the recording. */
export function commandRecorder(command: string, maxBytes = 2 * 1024 * 1024 - 64): Recorder {
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      let size = 0;
      child.stdout.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) child.kill();
        else chunks.push(c);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (size > maxBytes) reject(new Error('recording longer than a message may be'));
        else if (code === 0) resolve(new Uint8Array(Buffer.concat(chunks)));
        else reject(new Error(`recorder exited with ${code}`));
      });
    });
}

/** Microphone stand-in: the recording is a file's bytes. */
export function fileRecorder(path: string): Recorder {
  return () => Promise.resolve(new Uint8Array(readFileSync(path)));
}

export function mimeTypeForFile(path: string): string {
  if (path.endsWith('.ogg') || path.endsWith('.opus')) return 'audio/ogg';
  if (path.endsWith('.webm')) return 'audio/webm';
  if (path.endsWith('.wav')) return 'audio/wav';
  if (path.endsWith('.mp3')) return 'audio/mpeg';
  return 'application/octet-stream';
}
