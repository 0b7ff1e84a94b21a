/**
 * One family setting a guardian reads and changes at a single path (GET to load, PUT to save): the
 * retention period and the activity-summary mail. Loads it, saves a change (optionally showing it at
 * once and undoing that if the server refuses), and reports the outcome as a status or an error for
 * FormStatus.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiClient } from '@burrow/client';
import { describeError } from '../shared/errors.js';

export interface FamilySetting<T> {
  /** The setting as the server last answered, null until it has. */
  current: T | null;
  status: string | null;
  error: string | null;
  /**
   * Saves `body`; `report` words the saved setting for the status line. `optimistic` shows the change
   * before the server answers and is undone on a refusal.
   */
  save: (body: object, report: (saved: T) => string, optimistic?: (current: T) => T) => Promise<void>;
  /** Refuses a change before it is sent (bad input), with this message. */
  refuse: (message: string) => void;
}

export function useFamilySetting<T>(path: string | null): FamilySetting<T> {
  const [current, setCurrent] = useState<T | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!path) return;
    let live = true;
    new ApiClient({ baseUrl: window.location.origin })
      .request<T>('GET', path)
      .then((loaded) => live && setCurrent(loaded))
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [path]);

  const save = useCallback(
    async (body: object, report: (saved: T) => string, optimistic?: (current: T) => T) => {
      if (!path) return;
      setStatus(null);
      setError(null);
      let before: T | null = null;
      if (optimistic)
        setCurrent((c) => {
          before = c;
          return c === null ? c : optimistic(c);
        });
      try {
        const saved = await new ApiClient({ baseUrl: window.location.origin }).request<T>('PUT', path, body);
        setCurrent(saved);
        setStatus(report(saved));
      } catch (err) {
        if (optimistic) setCurrent(before);
        setError(describeError(err));
      }
    },
    [path],
  );

  const refuse = useCallback((message: string) => {
    setStatus(null);
    setError(message);
  }, []);

  return { current, status, error, save, refuse };
}
