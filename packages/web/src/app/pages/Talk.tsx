import { useEffect, useId, useRef, useState, type PointerEvent } from 'react';
import { formatDuration, spokenDuration } from '../../shared/audio.js';
import { describeError } from '../../shared/errors.js';
import type { Recording } from '../../shared/recorder.js';
import { useRecorder } from '../../shared/use-recorder.js';
import { LevelMeter } from '../components/LevelMeter.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import type { SendStage } from '../guardian.js';
import { follow } from '../router.js';
import { NotInRosterNotice } from './Home.js';

/** Two minutes of Opus at 32 kbit/s is about 480 KB, well under the 2 MiB a message may carry. */
const MAX_MS = 120_000;
/** A press shorter than this is a tap: recording goes on until the next tap. */
const TAP_MS = 400;
const MIN_MS = 500;

type Sending =
  | { status: 'idle' }
  | { status: 'sending'; stage: SendStage }
  | { status: 'sent'; messageId: string }
  | { status: 'failed'; error: string };

export function Talk() {
  const [state, guardian] = useGuardian();
  const ids = { toy: useId(), progress: useId() };
  const toys = state.toys.filter((t) => t.childId !== null);
  const [toyId, setToyId] = useState<string | null>(toys[0]?.toyId ?? null);
  const [review, setReview] = useState<{ recording: Recording; url: string } | null>(null);
  const [sending, setSending] = useState<Sending>({ status: 'idle' });
  const [notice, setNotice] = useState<string | null>(null);
  const pointer = useRef<{ downAt: number; toggle: boolean; handled: boolean }>({
    downAt: 0,
    toggle: false,
    handled: false,
  });

  const finish = (recording: Recording | null) => {
    pointer.current.toggle = false;
    if (!recording || recording.durationMs < MIN_MS || recording.bytes.length === 0) {
      setNotice(
        'That was very short. Hold the button while you talk, or tap once to start and again to stop.',
      );
      return;
    }
    setNotice(null);
    setReview({ recording, url: URL.createObjectURL(recording.blob) });
  };
  const recorder = useRecorder(MAX_MS, (r) => {
    finish(r);
    setNotice('Recording stopped at two minutes, the longest a message can be.');
  });

  useEffect(() => {
    if (!toyId && toys[0]) setToyId(toys[0].toyId);
  }, [toyId, toys]);
  useEffect(() => () => void (review && URL.revokeObjectURL(review.url)), [review]);

  const recording = recorder.status === 'starting' || recorder.status === 'recording';
  const stopRecording = () => void recorder.stop().then(finish);

  // Hold to record (release sends to review), or tap to start and tap again to stop.
  const onPointerDown = (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointer.current.handled = true;
    if (recording) return; // a second tap in toggle mode; stops on release
    setSending({ status: 'idle' });
    pointer.current.downAt = performance.now();
    pointer.current.toggle = false;
    recorder.start();
  };
  const onPointerUp = () => {
    if (!recording) return;
    const held = performance.now() - pointer.current.downAt;
    if (!pointer.current.toggle && held < TAP_MS) {
      pointer.current.toggle = true; // it was a tap: keep recording until the next one
      return;
    }
    stopRecording();
  };
  // Keyboard and assistive technology arrive as a click without pointer events: toggle.
  const onClick = () => {
    if (pointer.current.handled) {
      pointer.current.handled = false;
      return;
    }
    if (recording) stopRecording();
    else {
      setSending({ status: 'idle' });
      pointer.current.toggle = true;
      recorder.start();
    }
  };

  const send = async () => {
    if (!review || !toyId) return;
    setSending({ status: 'sending', stage: { stage: 'sealing' } });
    try {
      const messageId = await guardian.send(review.recording, [toyId], (stage) =>
        setSending({ status: 'sending', stage }),
      );
      setSending({ status: 'sent', messageId });
      setReview(null);
    } catch (err) {
      setSending({ status: 'failed', error: describeError(err) });
    }
  };

  if (toys.length === 0) {
    return (
      <Page title="Talk">
        <EmptyState icon="toy" title="Pair a toy first">
          <p>Once your child’s toy is paired, record a message here and the toy’s heart will glow.</p>
          <a className="button primary" href="/toys" onClick={follow}>
            Pair a toy
          </a>
        </EmptyState>
      </Page>
    );
  }

  const to = toyId ? guardian.toyName(toyId) : 'the toy';
  const stage = sending.status === 'sending' ? sending.stage : null;
  const percent =
    stage?.stage === 'uploading'
      ? Math.round((100 * stage.progress.loaded) / Math.max(1, stage.progress.total))
      : stage?.stage === 'posting'
        ? 100
        : 0;
  return (
    <Page title="Talk" intro={`Record a message for ${to}. It is sealed in this browser before it leaves.`}>
      <NotInRosterNotice />
      {toys.length > 1 ? (
        <div className="card">
          <label htmlFor={ids.toy}>Send to</label>
          <select id={ids.toy} value={toyId ?? ''} onChange={(e) => setToyId(e.target.value)}>
            {toys.map((t) => (
              <option key={t.toyId} value={t.toyId}>
                {guardian.toyName(t.toyId)}
              </option>
            ))}
          </select>
        </div>
      ) : null}

      {!review ? (
        <section className="card recorder" aria-label="Recorder">
          <button
            type="button"
            className={`record ${recording ? 'on' : ''}`}
            aria-pressed={recording}
            aria-describedby="record-help"
            disabled={!state.inRoster || recorder.status === 'stopping'}
            onPointerDown={onPointerDown}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onClick={onClick}
            onContextMenu={(e) => e.preventDefault()}
          >
            <span className="record-icon" aria-hidden="true" />
            <span className="record-label">{recording ? 'Stop' : 'Record'}</span>
          </button>
          <p id="record-help" className="hint">
            Hold the button while you talk, or tap once to start and again to stop.
          </p>
          <div className="timer" aria-live="off">
            {formatDuration(recorder.elapsedMs)} <span className="hint">/ {formatDuration(MAX_MS)}</span>
          </div>
          <LevelMeter read={recorder.level} />
          <div role="status" className="status-line">
            {recorder.status === 'starting'
              ? 'Starting the microphone…'
              : recorder.status === 'recording'
                ? 'Recording…'
                : ''}
          </div>
          {recorder.error || notice ? (
            <p className="form-error" role="alert">
              {recorder.error ?? notice}
            </p>
          ) : null}
        </section>
      ) : (
        <section className="card review" aria-label="Review your message">
          <h2>Listen before you send</h2>
          <audio
            controls
            src={review.url}
            aria-label={`Your recording, ${spokenDuration(review.recording.durationMs)}`}
          />
          <p className="hint">{formatDuration(review.recording.durationMs)} long</p>
          {stage ? (
            <div className="upload">
              <label htmlFor={ids.progress}>
                {stage.stage === 'sealing'
                  ? 'Sealing in this browser…'
                  : stage.stage === 'uploading'
                    ? `Uploading ${percent}%`
                    : 'Delivering…'}
              </label>
              <progress id={ids.progress} max={100} value={stage.stage === 'sealing' ? undefined : percent} />
            </div>
          ) : null}
          {sending.status === 'failed' ? (
            <p className="form-error" role="alert">
              {sending.error}
            </p>
          ) : null}
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => void send()}
              disabled={sending.status === 'sending'}
            >
              Send to {to}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => setReview(null)}
              disabled={sending.status === 'sending'}
            >
              Record again
            </button>
          </div>
        </section>
      )}
      <div role="status" aria-live="polite">
        {sending.status === 'sent' ? (
          <p className="sent-note">Sent! The toy’s heart is glowing: your message is waiting there.</p>
        ) : null}
      </div>
    </Page>
  );
}
