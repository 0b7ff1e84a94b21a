import { useEffect, useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [];
  return all.includes(current) ? all : [current, ...all];
}

const toText = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const toMinutes = (text: string) => {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** A toy's quiet hours: the toy keeps messages until the window ends (signed by this guardian device). */
export function QuietHours({ toyId, toyName }: { toyId: string; toyName: string }) {
  const [, guardian] = useGuardian();
  const ids = { title: useId(), on: useId(), start: useId(), end: useId(), zone: useId(), error: useId() };
  const [enabled, setEnabled] = useState(false);
  const [start, setStart] = useState('19:30');
  const [end, setEnd] = useState('07:00');
  const [zone, setZone] = useState(browserTimeZone);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stopped = false;
    guardian
      .toySettings(toyId)
      .then(({ settings }) => {
        if (stopped || !settings) return;
        setZone(settings.timeZone);
        setEnabled(settings.quietHours !== null);
        if (settings.quietHours) {
          setStart(toText(settings.quietHours.start));
          setEnd(toText(settings.quietHours.end));
        }
      })
      .catch((err: unknown) => {
        if (!stopped) setError(describeError(err));
      });
    return () => {
      stopped = true;
    };
  }, [guardian, toyId]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (enabled && start === end) return setError('Quiet hours need a different start and end time.');
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await guardian.setQuietHours(toyId, zone, enabled ? { start: toMinutes(start), end: toMinutes(end) } : null);
      setStatus(enabled ? `Saved. ${toyName} stays quiet from ${start} to ${end}.` : `Saved. ${toyName} has no quiet hours.`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="quiet-hours" onSubmit={(e) => void save(e)} aria-labelledby={ids.title} noValidate>
      <h3 id={ids.title}>Quiet hours</h3>
      <label htmlFor={ids.on}>
        <input id={ids.on} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Keep
        messages until morning
      </label>
      {enabled ? (
        <>
          <label htmlFor={ids.start}>From</label>
          <input id={ids.start} type="time" value={start} onChange={(e) => setStart(e.target.value)} />
          <label htmlFor={ids.end}>Until</label>
          <input id={ids.end} type="time" value={end} onChange={(e) => setEnd(e.target.value)} />
          <label htmlFor={ids.zone}>Time zone</label>
          <select id={ids.zone} value={zone} onChange={(e) => setZone(e.target.value)}>
            {timeZones(zone).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <div role="alert" className="form-error" id={ids.error}>
        {error}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save quiet hours'}
      </button>
      <div role="status" className="ok">
        {status}
      </div>
    </form>
  );
}
