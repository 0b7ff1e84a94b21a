/**
 * The toy's speaker and microphone. On hardware they are commands (aplay, arecord); here they are
 * configurable: play pipes the decrypted audio to a command's stdin or, by default, writes a file;
 * record reads a command's stdout or a file.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Player = (audio: Uint8Array, info: { messageId: string; mimeType?: string }) => Promise<string>;
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
    writeFileSync(path, audio, { mode: 0o600 });
    return Promise.resolve(path);
  };
}

/** Speaker command, e.g. `aplay -q -` or `mpv -`: run through the shell, audio on stdin. */
export function commandPlayer(command: string): Player {
  return (audio) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, { shell: true, stdio: ['pipe', 'ignore', 'inherit'] });
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
