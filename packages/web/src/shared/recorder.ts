/**
 * Microphone recording with MediaRecorder (Opus in WebM, or in Ogg where WebM is missing) and a live
 * level for a meter. The microphone is opened for each recording and released when it stops, so the
 * browser's "microphone in use" indicator is on only while someone is talking.
 */
import { t } from '../i18n/index.js';

/** A finished recording: the exact bytes that will be sealed and sent. */
export interface Recording {
  blob: Blob;
  bytes: Uint8Array;
  mimeType: string;
  durationMs: number;
}

/** Opus at 32 kbit/s: clear speech, about 4 KB a second, so 2 MiB holds minutes. */
const BITS_PER_SECOND = 32_000;

export function pickMimeType(): string {
  const candidates = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];
  return (
    candidates.find((type) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type)) ??
    ''
  );
}

export class MicrophoneError extends Error {
  override readonly name = 'MicrophoneError';
}

/** Explains a getUserMedia failure in words a grandparent can act on. */
function explain(err: unknown): MicrophoneError {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return new MicrophoneError(t('microphone.notAllowed'));
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return new MicrophoneError(t('microphone.notFound'));
  if (name === 'NotReadableError') return new MicrophoneError(t('microphone.busy'));
  if (typeof navigator === 'undefined' || !navigator.mediaDevices)
    return new MicrophoneError(t('microphone.insecure'));
  return new MicrophoneError(t('microphone.failed'));
}

export class VoiceRecorder {
  private readonly chunks: Blob[] = [];
  private readonly startedAt: number;
  private readonly analyser: AnalyserNode;
  private readonly samples: Float32Array<ArrayBuffer>;
  private stopped: Promise<Recording> | undefined;

  private constructor(
    private readonly stream: MediaStream,
    private readonly recorder: MediaRecorder,
    private readonly audioContext: AudioContext,
  ) {
    recorder.addEventListener('dataavailable', (ev) => {
      if (ev.data.size > 0) this.chunks.push(ev.data);
    });
    const source = audioContext.createMediaStreamSource(stream);
    this.analyser = audioContext.createAnalyser();
    this.analyser.fftSize = 1024;
    source.connect(this.analyser);
    this.samples = new Float32Array(this.analyser.fftSize);
    recorder.start(250);
    this.startedAt = performance.now();
  }

  /** Opens the microphone and starts recording at once. */
  static async start(): Promise<VoiceRecorder> {
    if (typeof MediaRecorder === 'undefined') throw new MicrophoneError(t('microphone.unsupported'));
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      throw explain(err);
    }
    const mimeType = pickMimeType();
    const recorder = new MediaRecorder(stream, {
      ...(mimeType ? { mimeType } : {}),
      audioBitsPerSecond: BITS_PER_SECOND,
    });
    return new VoiceRecorder(stream, recorder, new AudioContext());
  }

  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** The input level now, 0 to 1 (RMS, scaled so speech fills most of the meter). */
  level(): number {
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const s of this.samples) sum += s * s;
    const rms = Math.sqrt(sum / this.samples.length);
    return Math.min(1, rms * 4);
  }

  /** Stops, releases the microphone and returns the recording (idempotent). */
  stop(): Promise<Recording> {
    this.stopped ??= new Promise<Recording>((resolve, reject) => {
      const durationMs = Math.round(this.elapsedMs);
      this.recorder.addEventListener('stop', () => {
        const mimeType = this.recorder.mimeType || 'audio/webm';
        const blob = new Blob(this.chunks, { type: mimeType });
        blob
          .arrayBuffer()
          .then((buffer) => resolve({ blob, bytes: new Uint8Array(buffer), mimeType, durationMs }), reject);
      });
      this.recorder.stop();
      for (const track of this.stream.getTracks()) track.stop();
      void this.audioContext.close();
    });
    return this.stopped;
  }
}
