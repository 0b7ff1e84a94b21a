import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n/index.js';
import { audioUrl, decodedDurationMs, formatDuration, spokenDuration, waveform } from '../../shared/audio.js';
import { formatTime } from '../date-time.js';
import type { ArchivedMessage } from '../../shared/idb-store.js';
import { describeError } from '../../shared/errors.js';
import type { Receipt } from '../guardian.js';
import { ConfirmButton } from './Confirm.js';

function ticks(receipt: Receipt | undefined): { symbol: string; label: string; className: string } {
  if (receipt?.played) return { symbol: '✓✓', label: translate('bubble.played'), className: 'played' };
  if (receipt?.delivered)
    return { symbol: '✓✓', label: translate('bubble.delivered'), className: 'delivered' };
  return { symbol: '✓', label: translate('bubble.sent'), className: 'sent' };
}

/**
 * One voice message in the conversation: play/pause, a waveform that fills as it plays, the length,
 * who sent it and, for this browser's own messages, sent / delivered / played ticks.
 */
export function VoiceBubble({
  message,
  sender,
  mine,
  receipt,
  onPlayed,
  onDelete,
  favourite,
}: {
  message: ArchivedMessage;
  sender: string;
  mine: boolean;
  receipt?: Receipt;
  onPlayed?: () => void;
  /** Given when this browser's user may delete it (its sender, or a guardian). */
  onDelete?: () => Promise<void>;
  /** Guardians, for a message to the toy: keep it on the toy (docs/protocol.md §18) or let it go. */
  favourite?: { kept: boolean; full: boolean; onToggle: () => Promise<void> };
}) {
  const { t } = useTranslation();
  const [favouriteError, setFavouriteError] = useState<string | null>(null);
  const [favouriteBusy, setFavouriteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [peaks, setPeaks] = useState<number[] | null>(null);

  useEffect(() => {
    let current = true;
    void waveform(message.messageId, message.audio).then((p) => current && setPeaks(p));
    return () => {
      current = false;
    };
  }, [message.messageId, message.audio]);

  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);

  // A sender that did not say how long it is (the command-line toy): measure the audio itself.
  const [measured, setMeasured] = useState<number | null>(null);
  useEffect(() => {
    if (message.durationMs !== null) return;
    let current = true;
    void decodedDurationMs(message.messageId, message.audio).then((ms) => current && setMeasured(ms));
    return () => {
      current = false;
    };
  }, [message.messageId, message.audio, message.durationMs]);

  const duration = message.durationMs ?? measured;
  const toggle = () => {
    const el = audio.current;
    if (!el) return;
    if (!url) {
      const u = audioUrl(message.audio);
      setUrl(u);
      el.src = u;
    }
    if (el.paused) {
      // One message at a time: another bubble still playing stops (and shows Play again).
      for (const other of document.querySelectorAll('audio')) if (other !== el) other.pause();
      void el.play().then(
        () => onPlayed?.(),
        () => setPlaying(false),
      );
    } else el.pause();
  };

  const tick = mine ? ticks(receipt) : null;
  const bars = peaks ?? new Array<number>(32).fill(0.15);
  const fraction = duration ? Math.min(1, (position * 1000) / duration) : 0;
  return (
    <li
      className={`bubble ${mine ? 'mine' : 'theirs'} ${!mine && !message.heard ? 'unheard' : ''}`}
      data-message-id={message.messageId}
    >
      <button
        type="button"
        className="play"
        onClick={toggle}
        aria-label={t(playing ? 'bubble.pause' : 'bubble.play', { sender, length: spokenDuration(duration) })}
      >
        <span aria-hidden="true">{playing ? '❚❚' : '▶'}</span>
      </button>
      <div className="bubble-body">
        <svg
          className="wave"
          viewBox={`0 0 ${bars.length * 4} 24`}
          preserveAspectRatio="none"
          aria-hidden="true"
        >
          {bars.map((p, i) => (
            <rect
              key={i}
              x={i * 4 + 0.5}
              width="3"
              y={12 - p * 11}
              height={Math.max(1.5, p * 22)}
              rx="1.5"
              className={i / bars.length < fraction ? 'done' : ''}
            />
          ))}
        </svg>
        <div className="bubble-meta">
          <span className="who">{sender}</span>
          <span className="len">{formatDuration(duration)}</span>
          <time dateTime={new Date(message.createdAt).toISOString()}>{formatTime(message.createdAt)}</time>
          {tick ? (
            <span className={`ticks ${tick.className}`} title={tick.label}>
              <span aria-hidden="true">{tick.symbol}</span>
              <span className="sr-only">{tick.label}</span>
            </span>
          ) : null}
          {!mine && !message.heard ? <span className="badge">{t('bubble.new')}</span> : null}
        </div>
        {favourite ? (
          <div className="bubble-actions">
            <button
              type="button"
              className={`ghost small keep-on-toy ${favourite.kept ? 'kept' : ''}`}
              aria-pressed={favourite.kept}
              disabled={favouriteBusy || (favourite.full && !favourite.kept)}
              title={favourite.full && !favourite.kept ? t('listen.toyFull') : undefined}
              onClick={() => {
                setFavouriteError(null);
                setFavouriteBusy(true);
                favourite.onToggle().then(
                  () => setFavouriteBusy(false),
                  (err: unknown) => {
                    setFavouriteBusy(false);
                    setFavouriteError(describeError(err));
                  },
                );
              }}
            >
              <span aria-hidden="true">{favourite.kept ? '★' : '☆'}</span> {favourite.kept ? t('listen.keptOnToy') : t('listen.keepOnToy')}
            </button>
            {favouriteError ? (
              <p className="form-error" role="alert">
                {favouriteError}
              </p>
            ) : null}
          </div>
        ) : null}
        {onDelete ? (
          <div className="bubble-actions">
            <ConfirmButton
              label={t('bubble.deleteLabel', { sender, time: formatTime(message.createdAt) })}
              text={t('bubble.delete')}
              className="ghost small"
              // What deleting does, said once where it is asked (docs/privacy.md, "Deleting a message").
              question={t('bubble.deleteQuestion')}
              yes={t('bubble.deleteYes')}
              danger
              onConfirm={async () => {
                setDeleteError(null);
                try {
                  await onDelete();
                } catch (err) {
                  setDeleteError(describeError(err));
                }
              }}
            />
            {deleteError ? (
              <p className="form-error" role="alert">
                {deleteError}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
      <audio
        ref={audio}
        preload="none"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => {
          setPlaying(false);
          setPosition(0);
        }}
        onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
        // A recording that fails mid-way ends its playing state too, not only one that ends.
        onError={() => {
          setPlaying(false);
          setPosition(0);
        }}
      />
    </li>
  );
}
