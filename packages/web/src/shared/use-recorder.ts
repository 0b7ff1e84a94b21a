/**
 * React state around VoiceRecorder, shared by the guardian's Talk page and the toy's record paw.
 * A release that comes while the microphone is still opening stops the recording as soon as it has
 * started, so a quick press never leaves the microphone on.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './errors.js';
import { VoiceRecorder, type Recording } from './recorder.js';

export type RecorderStatus = 'idle' | 'starting' | 'recording' | 'stopping';

export interface RecorderControls {
  status: RecorderStatus;
  error: string | null;
  elapsedMs: number;
  /** Reads the input level (0 to 1) while recording, else null. */
  level: (() => number) | null;
  start: () => void;
  /** Resolves with the recording, or null if none was made. */
  stop: () => Promise<Recording | null>;
}

export function useRecorder(
  maxMs: number,
  onAutoStop?: (recording: Recording | null) => void,
): RecorderControls {
  const [status, setStatus] = useState<RecorderStatus>('idle');
  const [error, setError] = useState<string | null>(null);
  const [elapsedMs, setElapsed] = useState(0);
  const [level, setLevel] = useState<(() => number) | null>(null);
  const starting = useRef<Promise<VoiceRecorder | null> | null>(null);
  const autoStop = useRef(onAutoStop);
  autoStop.current = onAutoStop;

  const stop = useCallback(async (): Promise<Recording | null> => {
    const pending = starting.current;
    if (!pending) return null;
    starting.current = null;
    setStatus('stopping');
    const recorder = await pending;
    const recording = recorder ? await recorder.stop() : null;
    setLevel(null);
    setStatus('idle');
    return recording;
  }, []);

  const start = useCallback(() => {
    if (starting.current) return;
    setError(null);
    setElapsed(0);
    setStatus('starting');
    starting.current = VoiceRecorder.start().then(
      (recorder) => {
        setLevel(() => () => recorder.level());
        setStatus((s) => (s === 'starting' ? 'recording' : s));
        return recorder;
      },
      (err: unknown) => {
        starting.current = null;
        setError(describeError(err));
        setStatus('idle');
        return null;
      },
    );
  }, []);

  // A clock for the timer and the length limit.
  useEffect(() => {
    if (status !== 'recording') return;
    const began = performance.now();
    const timer = setInterval(() => {
      const ms = performance.now() - began;
      setElapsed(ms);
      if (ms >= maxMs) void stop().then((r) => autoStop.current?.(r));
    }, 200);
    return () => clearInterval(timer);
  }, [status, maxMs, stop]);

  // Never leave the microphone on when the component goes away.
  useEffect(
    () => () => {
      void stop();
    },
    [stop],
  );

  return { status, error, elapsedMs, level, start, stop };
}
