/** Small audio helpers: a waveform outline for a voice bubble, and human-readable durations. */
import { t } from '../i18n/index.js';

let decoder: AudioContext | undefined;
const waveforms = new Map<string, Promise<number[]>>();

/**
 * A waveform of `bars` peaks (0 to 1), from the decoded audio. Decoding happens in this browser, on
 * the decrypted bytes; results are cached per message for the life of the page.
 */
export function waveform(key: string, audio: Blob, bars = 32): Promise<number[]> {
  let cached = waveforms.get(key);
  if (!cached) {
    cached = decodePeaks(audio, bars).catch(() => new Array<number>(bars).fill(0.3));
    waveforms.set(key, cached);
  }
  return cached;
}

const durations = new Map<string, Promise<number | null>>();

/**
 * A recording's length in milliseconds, decoded from its bytes, for messages whose sender did not
 * say (the command-line toy sends a WAV with no `durationMs`); null when it cannot be decoded.
 */
export function decodedDurationMs(key: string, audio: Blob): Promise<number | null> {
  let cached = durations.get(key);
  if (!cached) {
    cached = decode(audio).then(
      (buffer) => (Number.isFinite(buffer.duration) ? buffer.duration * 1000 : null),
      () => null,
    );
    durations.set(key, cached);
  }
  return cached;
}

async function decode(audio: Blob): Promise<AudioBuffer> {
  decoder ??= new AudioContext();
  return decoder.decodeAudioData(await audio.arrayBuffer());
}

async function decodePeaks(audio: Blob, bars: number): Promise<number[]> {
  const buffer = await decode(audio);
  const data = buffer.getChannelData(0);
  const step = Math.max(1, Math.floor(data.length / bars));
  const peaks: number[] = [];
  for (let i = 0; i < bars; i++) {
    let peak = 0;
    for (let j = i * step; j < Math.min(data.length, (i + 1) * step); j++)
      peak = Math.max(peak, Math.abs(data[j] ?? 0));
    peaks.push(peak);
  }
  const max = Math.max(...peaks, 0.01);
  return peaks.map((p) => Math.max(0.08, p / max));
}

/** 0:07, 1:32 — a recording's length as a phone shows it. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–:––';
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "0:07 long" for screen readers: "7 seconds", in the chosen language. */
export function spokenDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return t('duration.unknown');
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return t('duration.seconds', { count: seconds });
  const minutes = t('duration.minutes', { count: Math.floor(seconds / 60) });
  const rest = seconds % 60;
  return rest
    ? t('duration.minutesAndSeconds', { minutes, seconds: t('duration.seconds', { count: rest }) })
    : minutes;
}

/** Turns the recording's bytes into something an <audio> element can play. */
export function audioUrl(audio: Blob): string {
  return URL.createObjectURL(audio);
}
