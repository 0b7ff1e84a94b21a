import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';

/** Guardians add a child where the children are (Home): a name, sealed to the family like the first. */
export function AddChild() {
  const [, guardian] = useGuardian();
  const ids = { title: useId(), name: useId(), error: useId() };
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError('Enter a first name or a nickname.');
    setError(null);
    setBusy(true);
    try {
      await guardian.addChild(name);
      setDone(`Added ${name.trim()}. Pair their toy on the Toys page.`);
      setName('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="card add-child">
      <summary id={ids.title}>Add another child</summary>
      <form className="form" onSubmit={(e) => void add(e)} noValidate aria-labelledby={ids.title} aria-describedby={ids.error}>
        <div className="form-error" role="alert" id={ids.error}>
          {error}
        </div>
        <label htmlFor={ids.name}>First name or nickname</label>
        <input id={ids.name} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={busy}>
          Add child
        </button>
      </form>
      <div role="status" className="ok">
        {done}
      </div>
    </details>
  );
}
