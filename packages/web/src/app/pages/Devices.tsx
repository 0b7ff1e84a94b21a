import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

function roleLabel(role: string): string {
  return role === 'guardian' ? 'Guardian' : role === 'member' ? 'Family member' : 'Toy';
}

/** This browser's device, the account's devices and the family roster; sign out of this browser. */
export function Devices() {
  const [state, guardian] = useGuardian();
  const ids = { name: useId(), nameStatus: useId(), error: useId() };
  const [name, setName] = useState(state.senderName);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const saveName = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await guardian.saveSenderName(name);
      setSaved('Saved. New messages carry this name.');
    } catch (err) {
      setError(describeError(err));
    }
  };

  const signOut = async () => {
    try {
      await guardian.logOut();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <Page title="Devices">
      <section className="card" aria-labelledby="this-browser">
        <h2 id="this-browser">This browser</h2>
        <p>
          Signed in as <strong>{state.email}</strong>.
        </p>
        <p>Its keys were made here and never leave it.</p>
        <p>
          Its fingerprint — a guardian approving this browser sees the same digits; compare them together, in
          person or on a call:
        </p>
        <p className="mono fingerprint" data-testid="my-fingerprint">
          {guardian.fingerprint()}
        </p>
        <form className="form inline" onSubmit={(e) => void saveName(e)}>
          <label htmlFor={ids.name}>Your name on messages</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Mum, Grandpa…"
          />
          <button type="submit">Save name</button>
          <div role="status" id={ids.nameStatus} className="ok">
            {saved}
          </div>
        </form>
        <div role="alert" className="form-error" id={ids.error}>
          {error}
        </div>
        <button type="button" className="ghost" onClick={() => void signOut()}>
          Sign out of this browser
        </button>
      </section>

      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <p>
          See every browser signed in to your account, and sign out of the ones you do not recognise, on the
          security page.
        </p>
        <a className="button" href="/security" onClick={follow}>
          Sessions and sign out elsewhere
        </a>
      </section>

      <section className="card" aria-labelledby="account-devices">
        <h2 id="account-devices">Your account’s devices</h2>
        <ul className="list plain">
          {state.accountDevices.map((id, i) => (
            <li key={id}>
              {id === state.deviceId ? (
                <span className="badge">This browser</span>
              ) : (
                <>
                  Another browser or phone <span className="hint">(device {i + 1})</span>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="family-devices">
        <h2 id="family-devices">Your family’s devices</h2>
        {state.roster ? (
          <>
            <p className="hint">
              The family list, signed by a guardian’s device. Toys obey only the devices on it.
            </p>
            <table className="roster">
              <caption className="sr-only">Devices in the family list</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Role</th>
                  <th scope="col">May</th>
                </tr>
              </thead>
              <tbody>
                {state.roster.devices.map((d) => (
                  <tr key={d.id}>
                    <td>
                      {d.role === 'toy'
                        ? guardian.toyName(d.id)
                        : d.id === state.deviceId
                          ? state.senderName || 'You'
                          : guardian.personName([d.id], null)}
                      {d.id === state.deviceId ? <span className="badge">This browser</span> : null}
                    </td>
                    <td>{roleLabel(d.role)}</td>
                    <td>
                      {[d.sendToToy ? 'send to toys' : '', d.hearChild ? 'hear the child' : '']
                        .filter(Boolean)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p>No family yet.</p>
        )}
      </section>
    </Page>
  );
}
