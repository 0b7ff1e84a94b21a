import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { FormError, FormStatus } from './FormStatus.js';

/** Guardians add a child where the children are (Home): a name, sealed to the family like the first. */
export function AddChild() {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { title: useId(), name: useId(), error: useId() };
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError(t('addChild.nameNeeded'));
    setError(null);
    setBusy(true);
    try {
      await guardian.family.addChild(name);
      setDone(t('addChild.added', { name: name.trim() }));
      setName('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="card add-child">
      <summary id={ids.title}>{t('addChild.summary')}</summary>
      <form
        className="form"
        onSubmit={(e) => void add(e)}
        noValidate
        aria-labelledby={ids.title}
        aria-describedby={ids.error}
      >
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.name}>{t('addChild.name')}</label>
        <input id={ids.name} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={busy}>
          {t('addChild.add')}
        </button>
      </form>
      <FormStatus status={done} />
    </details>
  );
}
