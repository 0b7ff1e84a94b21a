import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { FAVOURITE_SLOTS } from '@burrow/protocol';
import { formatDuration } from '../shared/audio.js';
import { formatTime } from '../app/date-time.js';
import { describeError } from '../shared/errors.js';
import { usePress } from '../shared/use-press.js';
import { useRecorder } from '../shared/use-recorder.js';
import type { BrowserToy } from './browser-toy.js';
import { PairingQr } from './PairingQr.js';
import { SimulatorKeys } from './SimulatorKeys.js';
import { SimulatorSoftware } from './SimulatorSoftware.js';
import { Plush, type HeartState } from './Plush.js';

const HOLD_TO_PAIR_MS = 1000;
const MAX_ANSWER_MS = 60_000;
const MIN_ANSWER_MS = 500;

function PawIcon({ kind }: { kind: 'play' | 'record' }) {
  return (
    <svg viewBox="0 0 64 64" aria-hidden="true" className="paw-icon">
      <circle cx="32" cy="40" r="16" />
      <circle cx="14" cy="24" r="7" />
      <circle cx="26" cy="14" r="7" />
      <circle cx="38" cy="14" r="7" />
      <circle cx="50" cy="24" r="7" />
      {kind === 'play' ? (
        <path d="M27 32l13 8-13 8z" className="glyph" />
      ) : (
        <circle cx="32" cy="40" r="6.5" className="glyph" />
      )}
    </svg>
  );
}

/**
 * The pairing button: held for a second, the toy makes a code and shows it until it is claimed. Its
 * own component, so its press state starts afresh each time it reappears (the code box replaces it
 * while the button is still held, and the release it never sees must not block the next press).
 */
function PairingButton({
  label,
  onHeld,
  onTooShort,
}: {
  label: string;
  onHeld: () => void;
  onTooShort: () => void;
}) {
  const [holding, setHolding] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const press = usePress(
    () => {
      setHolding(true);
      timer.current = setTimeout(() => {
        timer.current = undefined;
        setHolding(false);
        onHeld();
      }, HOLD_TO_PAIR_MS);
    },
    () => {
      setHolding(false);
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = undefined;
        onTooShort();
      }
    },
  );
  return (
    <button type="button" className={`pair-button ${holding ? 'holding' : ''}`} {...press}>
      {label}
    </button>
  );
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function ToySimulator({ toy }: { toy: BrowserToy }) {
  const state = useSyncExternalStore(toy.subscribe, toy.snapshot);
  const { t } = useTranslation();
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState<{ from: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const now = useNow(state.pairing !== null);
  const recorder = useRecorder(MAX_ANSWER_MS);
  const [sendingAnswer, setSendingAnswer] = useState(false);

  useEffect(() => {
    const el = audio.current;
    return () => {
      if (el?.src) URL.revokeObjectURL(el.src);
    };
  }, []);

  // The play paw (the next unplayed message) and the favourite paw (a kept one again).
  const play = async (favourite = false) => {
    setMessage(null);
    try {
      const played = favourite ? await toy.replayFavourite() : await toy.playNext();
      const el = audio.current;
      if (!played || !el) {
        setMessage(favourite ? t('simulator.noFavourite') : t('simulator.noMessage'));
        return;
      }
      el.dataset.messageId = played.messageId;
      const type = typeof played.meta.mimeType === 'string' ? played.meta.mimeType : '';
      if (el.src) URL.revokeObjectURL(el.src);
      el.src = URL.createObjectURL(new Blob([played.audio as Uint8Array<ArrayBuffer>], { type }));
      // The guardian-signed settings' volume (0-100); data-volume lets a test read what the toy obeyed.
      el.volume = Math.max(0, Math.min(100, played.volume)) / 100;
      el.dataset.volume = String(played.volume);
      setPlaying({
        from: typeof played.meta.senderName === 'string' ? played.meta.senderName : t('simulator.yourFamily'),
      });
      await el.play();
    } catch (err) {
      setPlaying(null);
      setMessage(describeError(err));
    }
  };

  // The record paw: hold to talk, release to send.
  const sendAnswer = async () => {
    const recording = await recorder.stop();
    if (!recording) return;
    if (recording.durationMs < MIN_ANSWER_MS || recording.bytes.length === 0) {
      setMessage(t('simulator.holdPaw'));
      return;
    }
    setSendingAnswer(true);
    try {
      await toy.record(recording);
      setMessage(t('simulator.sent', { length: formatDuration(recording.durationMs) }));
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setSendingAnswer(false);
    }
  };
  const recordPaw = usePress(
    () => {
      setMessage(null);
      if (!state.paired) {
        setMessage(t('simulator.pairFirst'));
        return;
      }
      recorder.start();
    },
    () => void sendAnswer(),
  );

  const recording = recorder.status === 'starting' || recorder.status === 'recording';
  const heart: HeartState = playing
    ? 'playing'
    : recording
      ? 'listening'
      : state.unplayed > 0
        ? 'waiting'
        : 'idle';
  const heartLabel =
    heart === 'playing'
      ? t('simulator.bearPlaying')
      : heart === 'listening'
        ? t('simulator.bearListening')
        : heart === 'waiting'
          ? t('simulator.bearWaiting', { count: state.unplayed })
          : t('simulator.bearIdle');
  const secondsLeft = state.pairing ? Math.max(0, Math.round((state.pairing.expiresAt - now) / 1000)) : 0;

  return (
    <main id="main" className="toy-page">
      <h1>{t('simulator.title')}</h1>
      <p
        className="toy-status"
        role="status"
        data-online={state.online}
        data-paired={state.paired}
        data-unpaired={state.unpaired}
        data-toy-id={state.toyId}
        data-unplayed={state.unplayed}
      >
        <span className={`dot ${state.online ? 'on' : 'off'}`} aria-hidden="true" />
        <span>
          {state.online ? t('simulator.online') : t('simulator.offline')} ·{' '}
          {state.paired
            ? t('simulator.paired')
            : state.unpaired
              ? t('simulator.unpaired')
              : t('simulator.notPaired')}{' '}
          · {t('simulator.waiting', { count: state.unplayed })}
        </span>
      </p>

      <div className="plush-wrap">
        <Plush heart={heart} label={heartLabel} />
        <button
          type="button"
          className={`paw left ${state.unplayed > 0 ? 'ready' : ''}`}
          onClick={() => void play()}
          disabled={playing !== null}
        >
          <PawIcon kind="play" />
          <span>{t('simulator.play')}</span>
          <span className="sr-only"> {t('simulator.playHint')}</span>
        </button>
        <button
          type="button"
          className={`paw favourite ${state.favourites.length > 0 ? 'ready' : ''}`}
          onClick={() => void play(true)}
          disabled={playing !== null}
        >
          <span aria-hidden="true">★</span>
          <span>{t('simulator.favourite')}</span>
          <span className="sr-only"> {t('simulator.favouriteHint')}</span>
        </button>
        <button
          type="button"
          className={`paw right ${recording ? 'on' : ''}`}
          aria-pressed={recording}
          disabled={sendingAnswer}
          {...recordPaw}
        >
          <PawIcon kind="record" />
          <span>{recording ? t('simulator.release') : t('simulator.hold')}</span>
          <span className="sr-only"> {t('simulator.recordHint')}</span>
        </button>
      </div>

      <div className="toy-live" role="status">
        {playing
          ? t('simulator.playing', { from: playing.from })
          : recording
            ? t('simulator.recording', { length: formatDuration(recorder.elapsedMs) })
            : sendingAnswer
              ? t('simulator.sending')
              : message}
        {recorder.error ? ` ${recorder.error}` : ''}
      </div>

      <section
        className="favourites"
        aria-label={t('simulator.favouritesLabel')}
        data-kept={state.favourites.length}
      >
        <h2>{t('simulator.favourites', { kept: state.favourites.length, slots: FAVOURITE_SLOTS })}</h2>
        {state.favourites.length === 0 ? (
          <p>{t('simulator.favouritesHint', { slots: FAVOURITE_SLOTS })}</p>
        ) : (
          <ol>
            {[...state.favourites].reverse().map((f) => (
              <li key={f.messageId} data-message-id={f.messageId}>
                {t('simulator.from', { from: f.from })}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="pairing" aria-label={t('simulator.pairing')}>
        {state.pairing ? (
          <div className="code-box">
            <p>{t('simulator.scanThis')}</p>
            <PairingQr code={state.pairing.code} />
            <p className="pairing-code" data-code={state.pairing.code}>
              {state.pairing.code}
            </p>
            <p className="hint">
              {t('simulator.endsIn', {
                left: `${Math.floor(secondsLeft / 60)}:${String(secondsLeft % 60).padStart(2, '0')}`,
              })}
            </p>
            <button type="button" onClick={() => toy.stopPairing()}>
              {t('simulator.stopPairing')}
            </button>
          </div>
        ) : (
          <>
            <PairingButton
              label={state.paired ? t('simulator.pairAgainButton') : t('simulator.pairButton')}
              onHeld={() => {
                setMessage(null);
                toy.startPairing().catch((err: unknown) => setMessage(describeError(err)));
              }}
              onTooShort={() => setMessage(t('simulator.keepHolding'))}
            />
            <p className="hint">
              {state.paired
                ? t('simulator.pairedHint')
                : state.unpaired
                  ? t('simulator.unpairedHint')
                  : t('simulator.notPairedHint')}
            </p>
          </>
        )}
      </section>

      <details className="toy-log">
        <summary>{t('simulator.log')}</summary>
        {state.log.length === 0 ? (
          <p>{t('simulator.nothingYet')}</p>
        ) : (
          <ol>
            {state.log.map((line, i) => (
              <li key={`${line.at}-${i}`}>
                <time dateTime={new Date(line.at).toISOString()}>{formatTime(line.at)}</time> {line.text}
              </li>
            ))}
          </ol>
        )}
        <p className="hint mono">{t('simulator.toyId', { id: state.toyId })}</p>
        <SimulatorSoftware toy={toy} online={state.online} />
        <SimulatorKeys toy={toy} keys={state.keys} paired={state.paired} />
        <button
          type="button"
          className="ghost"
          onClick={() => {
            if (window.confirm(t('simulator.resetQuestion')))
              void toy.factoryReset().then(() => window.location.reload());
          }}
        >
          {t('simulator.reset')}
        </button>
      </details>

      <audio
        ref={audio}
        className="speaker"
        onEnded={() => setPlaying(null)}
        onError={() => {
          setPlaying(null);
          setMessage(t('simulator.couldNotPlay'));
        }}
      />
    </main>
  );
}
