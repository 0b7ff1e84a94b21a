import { useEffect, useId, useRef, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration, spokenDuration } from '../../shared/audio.js';
import { describeError } from '../../shared/errors.js';
import type { Recording } from '../../shared/recorder.js';
import { useRecorder } from '../../shared/use-recorder.js';
import { LevelMeter } from '../components/LevelMeter.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import type { SendStage } from '../guardian.js';
import { follow } from '../router.js';
import { sentStatusText } from '../sent-status-text.js';
import { NotInRosterNotice } from './Home.js';

/** Two minutes of Opus at 32 kbit/s is about 480 KB, well under the 2 MiB a message may carry. */
const MAX_MS = 120_000;
/** A press shorter than this is a tap: recording goes on until the next tap. */
const TAP_MS = 400;
const MIN_MS = 500;

/**
 * A recording whose send failed, kept while the app is open so leaving Talk (to check the toy, say)
 * does not lose it; cleared once it is sent or recorded again.
 */
let unsent: Recording | null = null;

type Sending =
  | { status: 'idle' }
  | { status: 'sending'; stage: SendStage }
  | { status: 'sent'; messageId: string; toyId: string }
  | { status: 'failed'; error: string };

export function Talk() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { toy: useId(), progress: useId() };
  const toys = state.toys.filter((t) => t.childId !== null);
  const [toyId, setToyId] = useState<string | null>(toys[0]?.toyId ?? null);
  const [review, setReview] = useState<{ recording: Recording; url: string } | null>(() =>
    unsent ? { recording: unsent, url: URL.createObjectURL(unsent.blob) } : null,
  );
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const recordButton = useRef<HTMLButtonElement>(null);
  // The button that was pressed unmounts when the view switches: move focus to what replaced it, so a
  // keyboard or screen-reader user is not dropped to the page body.
  const focusNext = useRef<'review' | 'record' | null>(null);
  useEffect(() => {
    const target =
      focusNext.current === 'review'
        ? reviewHeading.current
        : focusNext.current === 'record'
          ? recordButton.current
          : null;
    if (target) {
      target.focus();
      focusNext.current = null;
    }
  });
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
      setNotice(t('talk.tooShort'));
      return;
    }
    setNotice(null);
    focusNext.current = 'review';
    setReview({ recording, url: URL.createObjectURL(recording.blob) });
  };
  const recorder = useRecorder(MAX_MS, (r) => {
    finish(r);
    setNotice(t('talk.maxReached'));
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
      const messageId = await guardian.messages.send(review.recording, [toyId], (stage) =>
        setSending({ status: 'sending', stage }),
      );
      unsent = null;
      focusNext.current = 'record';
      setSending({ status: 'sent', messageId, toyId });
      setReview(null);
    } catch (err) {
      unsent = review.recording;
      setSending({ status: 'failed', error: describeError(err) });
    }
  };

  if (toys.length === 0) {
    return (
      <Page title={t('talk.title')}>
        <EmptyState icon="toy" title={t('talk.pairFirst')}>
          <p>{t('talk.pairFirstHint')}</p>
          <a className="button primary" href="/toys" onClick={follow}>
            {t('talk.pairToy')}
          </a>
        </EmptyState>
      </Page>
    );
  }

  const to = toyId ? guardian.names.toyName(toyId) : t('talk.theToy');
  // Where the sent message is on the toy, as the server knows it (updated by receipt and review events).
  const sentTo =
    sending.status === 'sent'
      ? state.receipts[sending.messageId]?.toys.find((t) => t.toyId === sending.toyId)
      : undefined;
  const stage = sending.status === 'sending' ? sending.stage : null;
  const percent =
    stage?.stage === 'uploading'
      ? Math.round((100 * stage.progress.loaded) / Math.max(1, stage.progress.total))
      : stage?.stage === 'posting'
        ? 100
        : 0;
  return (
    <Page title={t('talk.title')} intro={t('talk.intro', { to })}>
      <NotInRosterNotice />
      {toys.length > 1 ? (
        <div className="card">
          <label htmlFor={ids.toy}>{t('talk.sendToLabel')}</label>
          <select id={ids.toy} value={toyId ?? ''} onChange={(e) => setToyId(e.target.value)}>
            {toys.map((t) => (
              <option key={t.toyId} value={t.toyId}>
                {guardian.names.toyName(t.toyId)}
              </option>
            ))}
          </select>
        </div>
      ) : null}

      {/* A browser the family has not approved cannot seal to the toy: no Record button to press in vain. */}
      {!state.inRoster ? null : !review ? (
        <section className="card recorder" aria-label={t('talk.recorder')}>
          <button
            ref={recordButton}
            type="button"
            className={`record ${recording ? 'on' : ''}`}
            aria-pressed={recording}
            aria-describedby="record-help"
            disabled={recorder.status === 'stopping'}
            onPointerDown={onPointerDown}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onClick={onClick}
            onContextMenu={(e) => e.preventDefault()}
          >
            <span className="record-icon" aria-hidden="true" />
            <span className="record-label">{recording ? t('talk.stop') : t('talk.record')}</span>
          </button>
          <p id="record-help" className="hint">
            {t('talk.howTo')}
          </p>
          <div className="timer" aria-live="off">
            {/* The last recording's length is on its review; a new one starts from zero. */}
            {formatDuration(recording ? recorder.elapsedMs : 0)}{' '}
            <span className="hint">/ {formatDuration(MAX_MS)}</span>
          </div>
          <LevelMeter read={recorder.level} />
          <div role="status" className="status-line">
            {recorder.status === 'starting'
              ? t('talk.starting')
              : recorder.status === 'recording'
                ? t('talk.recording')
                : ''}
          </div>
          {recorder.error || notice ? (
            <p className="form-error" role="alert">
              {recorder.error ?? notice}
            </p>
          ) : null}
        </section>
      ) : (
        <section className="card review" aria-label={t('talk.reviewLabel')}>
          <h2 ref={reviewHeading} tabIndex={-1}>
            {t('talk.listenFirst')}
          </h2>
          <audio
            controls
            src={review.url}
            aria-label={t('talk.yourRecording', { length: spokenDuration(review.recording.durationMs) })}
          />
          <p className="hint">{t('talk.long', { length: formatDuration(review.recording.durationMs) })}</p>
          {stage ? (
            <div className="upload">
              <label htmlFor={ids.progress}>
                {stage.stage === 'sealing'
                  ? t('talk.sealing')
                  : stage.stage === 'uploading'
                    ? t('talk.uploading', { percent })
                    : t('talk.delivering')}
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
              {t('talk.sendTo', { to })}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                unsent = null;
                focusNext.current = 'record';
                setSending({ status: 'idle' });
                setReview(null);
              }}
              disabled={sending.status === 'sending'}
            >
              {t('talk.recordAgain')}
            </button>
          </div>
        </section>
      )}
      <div role="status" aria-live="polite">
        {sending.status === 'sent' ? (
          <p className="sent-note" data-state={sentTo?.state ?? 'unknown'}>
            {sentStatusText(sentTo, guardian.names.toyName(sending.toyId))}
          </p>
        ) : null}
      </div>
    </Page>
  );
}
