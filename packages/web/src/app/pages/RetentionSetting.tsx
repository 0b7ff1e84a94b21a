/**
 * Family page, for guardians: how long Burrow's server keeps a message after every device it was
 * sent to has it (GET/PUT /v1/families/:familyId/retention; docs/privacy.md), and what that means.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { RetentionResponse } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';

export function RetentionSetting() {
  const [state] = useGuardian();
  const ids = { heading: useId(), days: useId(), help: useId() };
  const [current, setCurrent] = useState<RetentionResponse | null>(null);
  const [days, setDays] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const familyId = state.familyId;
  const path = familyId ? `/v1/families/${familyId}/retention` : null;

  useEffect(() => {
    if (!path) return;
    new ApiClient({ baseUrl: window.location.origin })
      .request<RetentionResponse>('GET', path)
      .then((r) => {
        setCurrent(r);
        setDays(String(r.days));
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [path]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!path || !current) return;
    setStatus(null);
    setError(null);
    const n = Number(days);
    if (!Number.isInteger(n) || n < current.minDays || n > current.maxDays)
      return setError(`Choose a whole number of days from ${String(current.minDays)} to ${String(current.maxDays)}.`);
    try {
      const r = await new ApiClient({ baseUrl: window.location.origin }).request<RetentionResponse>('PUT', path, { days: n });
      setCurrent(r);
      setStatus(`Saved: the server now keeps delivered messages for ${String(r.days)} day${r.days === 1 ? '' : 's'}.`);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>How long the server keeps messages</h2>
      <p id={ids.help}>
        Burrow’s server keeps a message only until every device it was sent to has fetched it, and then for{' '}
        {current ? `${String(current.days)} day${current.days === 1 ? '' : 's'}` : 'the period below'}; then it
        deletes the recording and its details for good. A message that some device has not fetched after{' '}
        {current ? String(current.unfetchedExpiryDays) : '30'} days is deleted too, and its sender is told. There
        is no “forever”. Copies already on your family’s devices and the toy are not affected, and encrypted
        backups keep a copy until they age out.
      </p>
      <form className="form" onSubmit={(e) => void save(e)} noValidate>
        <label htmlFor={ids.days}>
          Days to keep a delivered message ({current ? `${String(current.minDays)}–${String(current.maxDays)}` : '1–365'}, default{' '}
          {current ? String(current.defaultDays) : '30'})
        </label>
        <input
          id={ids.days}
          type="number"
          inputMode="numeric"
          min={current?.minDays ?? 1}
          max={current?.maxDays ?? 365}
          value={days}
          aria-describedby={ids.help}
          onChange={(e) => setDays(e.target.value)}
        />
        <button type="submit" disabled={!current}>
          Save
        </button>
      </form>
      <div role="status" className="ok">
        {status}
      </div>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}
