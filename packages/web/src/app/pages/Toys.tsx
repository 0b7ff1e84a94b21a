import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { Icon } from '../components/Icon.js';
import { QuietHours } from '../components/QuietHours.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';

/** The family's toys, pairing a toy with the code it shows, and adding a child. */
export function Toys() {
  const [state, guardian] = useGuardian();
  const ids = {
    code: useId(),
    child: useId(),
    error: useId(),
    name: useId(),
    childError: useId(),
    pairTitle: useId(),
    childTitle: useId(),
  };
  const [code, setCode] = useState('');
  const [childId, setChildId] = useState(state.children[0]?.childId ?? '');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [newChild, setNewChild] = useState('');
  const [childError, setChildError] = useState<string | null>(null);
  const isGuardian = state.role === 'guardian';

  const pair = async (event: FormEvent) => {
    event.preventDefault();
    const target = childId || state.children[0]?.childId;
    if (!code.trim()) return setError('Type the code the toy shows while its pairing button is held.');
    if (!target) return setError('Add a child first.');
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const toyId = await guardian.pairToy(code, target);
      setDone(`Paired! ${guardian.toyName(toyId)} is now part of your family.`);
      setCode('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const addChild = async (event: FormEvent) => {
    event.preventDefault();
    if (!newChild.trim()) return setChildError('Enter a first name or a nickname.');
    setChildError(null);
    try {
      await guardian.addChild(newChild);
      setNewChild('');
    } catch (err) {
      setChildError(describeError(err));
    }
  };

  return (
    <Page title="Toys">
      {state.toys.length === 0 ? (
        <EmptyState icon="toy" title="No toy paired yet">
          <p>
            Pair your child’s toy below. You need the toy in your hands: pairing works only while its button
            is held.
          </p>
        </EmptyState>
      ) : (
        <ul className="list" aria-label="Paired toys">
          {state.toys.map((toy) => {
            const waiting = guardian.unplayedFor(toy.toyId);
            return (
              <li key={toy.toyId} className="card toy-card">
                <span className="avatar">
                  <Icon name="toy" />
                </span>
                <div>
                  <h2>{guardian.toyName(toy.toyId)}</h2>
                  <p>
                    {waiting === 0
                      ? 'No messages waiting to be played.'
                      : `${waiting} message${waiting === 1 ? '' : 's'} waiting to be played.`}
                  </p>
                  <p className="hint mono">Toy id {toy.toyId}</p>
                  {isGuardian ? <QuietHours toyId={toy.toyId} toyName={guardian.toyName(toy.toyId)} /> : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}

      {isGuardian ? (
        <form
          className="card form"
          onSubmit={(e) => void pair(e)}
          noValidate
          aria-labelledby={ids.pairTitle}
          aria-describedby={ids.error}
        >
          <h2 id={ids.pairTitle}>Pair a toy</h2>
          <ol className="steps">
            <li>Hold the pairing button on the toy until it shows a code.</li>
            <li>Type the code here. Letters and numbers only; dashes and spaces do not matter.</li>
          </ol>
          <div id={ids.error} className="form-error" role="alert">
            {error}
          </div>
          <label htmlFor={ids.code}>Pairing code</label>
          <input
            id={ids.code}
            className="mono code-input"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="ABC123-DEFG-HJKM-NPQR"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          {state.children.length > 1 ? (
            <>
              <label htmlFor={ids.child}>Whose toy is it?</label>
              <select id={ids.child} value={childId} onChange={(e) => setChildId(e.target.value)}>
                {state.children.map((c) => (
                  <option key={c.childId} value={c.childId}>
                    {c.name}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Pairing…' : 'Pair toy'}
          </button>
          <div role="status" className="ok">
            {done}
          </div>
        </form>
      ) : (
        <p className="card">Only a guardian of the family can pair a toy.</p>
      )}

      {isGuardian ? (
        <form
          className="card form"
          onSubmit={(e) => void addChild(e)}
          noValidate
          aria-labelledby={ids.childTitle}
        >
          <h2 id={ids.childTitle}>Add another child</h2>
          <div className="form-error" role="alert">
            {childError}
          </div>
          <label htmlFor={ids.name}>First name or nickname</label>
          <input
            id={ids.name}
            autoComplete="off"
            value={newChild}
            onChange={(e) => setNewChild(e.target.value)}
          />
          <button type="submit">Add child</button>
        </form>
      ) : null}
    </Page>
  );
}
