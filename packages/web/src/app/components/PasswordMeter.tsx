import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordVerdict } from '../password-verdict.js';
import type { Strength } from '../strength.js';

interface Job {
  id: number;
  password: string;
  inputs: string[];
  language: string;
}

/**
 * Checks run on a worker (strength.worker.ts), one at a time: while one runs, only the newest
 * password waits (typing fast does not queue a check per keystroke); a superseded check never
 * answers, and the meter only listens to its latest anyway. Should the worker not start, checks
 * run on the page's thread as before, so the form is never stuck at "Checking…".
 */
let worker: Worker | null | undefined;
let running: { job: Job; resolve: (s: Strength) => void } | undefined;
let waiting: { job: Job; resolve: (s: Strength) => void } | undefined;
let nextId = 0;

function onPageThread({ job, resolve }: { job: Job; resolve: (s: Strength) => void }): void {
  void import('../strength.js').then((m) => resolve(m.checkStrength(job.password, job.inputs, job.language)));
}

function startChecker(): Worker | null {
  if (worker !== undefined) return worker;
  const made = new Worker(new URL('../strength.worker.ts', import.meta.url), { type: 'module' });
  made.addEventListener('message', (event: MessageEvent<Strength & { id: number }>) => {
    const { id, ...strength } = event.data;
    if (running?.job.id === id) running.resolve(strength);
    running = waiting;
    waiting = undefined;
    if (running) made.postMessage(running.job);
  });
  made.addEventListener('error', () => {
    worker = null;
    for (const pending of [running, waiting]) if (pending) onPageThread(pending);
    running = waiting = undefined;
  });
  worker = made;
  return made;
}

function check(password: string, inputs: string[], language: string): Promise<Strength> {
  return new Promise((resolve) => {
    const request = { job: { id: ++nextId, password, inputs, language }, resolve };
    const checker = startChecker();
    if (!checker) onPageThread(request);
    else if (running) waiting = request;
    else {
      running = request;
      checker.postMessage(request.job);
    }
  });
}

/** Live strength of a new password; reports the result upward so the form can refuse a weak one. */
export function PasswordMeter({
  id,
  password,
  userInputs,
  onChange,
}: {
  id: string;
  password: string;
  userInputs: string[];
  onChange: (s: Strength | null) => void;
}) {
  const [strength, setStrength] = useState<Strength | null>(null);
  const { t, i18n } = useTranslation();
  // The checker's advice is in the page's language: checked again when the language changes.
  const language = i18n.language;
  const inputsKey = userInputs.join('\u0000');
  // The checker starts (and builds its dictionaries) as the form opens, while the email is typed.
  useEffect(() => {
    void check('burrow', [], language);
  }, [language]);
  useEffect(() => {
    let current = true;
    if (!password) {
      setStrength(null);
      onChange(null);
      return;
    }
    void check(password, inputsKey.split('\u0000'), language).then((s) => {
      if (!current) return;
      setStrength(s);
      onChange(s);
    });
    return () => {
      current = false;
    };
  }, [password, inputsKey, language, onChange]);

  const verdict = passwordVerdict(password, strength);
  return (
    <div id={id} className="meter-block" data-acceptable={verdict.acceptable}>
      <div
        className={`strength s${password ? verdict.level : 'none'}`}
        role="meter"
        aria-label={t('meter.label')}
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={verdict.level}
        aria-valuetext={
          verdict.acceptable ? verdict.label : t('meter.notAcceptable', { verdict: verdict.label })
        }
      >
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={password && verdict.level > i ? 'filled' : ''} />
        ))}
      </div>
      <p className="hint" aria-live="polite">
        <strong>{verdict.label}.</strong> {verdict.hint}
      </p>
    </div>
  );
}
