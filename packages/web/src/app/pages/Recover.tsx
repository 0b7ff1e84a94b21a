import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow, navigate } from '../router.js';

/**
 * /recover — "Lost your phone?" from the new-device screen (docs/safety.md, "Losing every device").
 * Another guardian approving this browser is the ordinary way and is said first; a sole guardian with
 * no approved device left proves more than the password: a recovery code and the toy in hand (the
 * code it shows while its pairing button is held), which the toy itself checks (protocol §5.1).
 */
export function Recover() {
  const [state, guardian] = useGuardian();
  const ids = { code: useId(), pairing: useId(), error: useId() };
  const [recoveryCode, setRecoveryCode] = useState('');
  const [pairingCode, setPairingCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (state.inRoster) {
    return (
      <Page title="Lost your phone?">
        <div className="card" role="status">
          <p>This browser is in the family: you are all set. Devices you lost can be removed under Family.</p>
          <a href="/" onClick={follow}>
            Go to Home
          </a>
        </div>
      </Page>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!recoveryCode.trim() || !pairingCode.trim()) {
      setError('Both are needed: one of your recovery codes, and the code the toy shows while you hold its button.');
      return;
    }
    setBusy(true);
    try {
      await guardian.recoverGuardian(recoveryCode, pairingCode);
      navigate('/');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Lost your phone?" intro="Get this browser into your family when the device you used is gone.">
      <div className="card">
        <h2>Does your family have another guardian?</h2>
        <p>
          Then they approve this browser: on their phone or computer they open Family, where this browser is
          listed under “New devices waiting”. They should see the same fingerprint as this one:
        </p>
        <p className="mono fingerprint" data-testid="recover-fingerprint">
          {guardian.fingerprint()}
        </p>
      </div>
      <form className="card form" noValidate aria-describedby={ids.error} onSubmit={(e) => void submit(e)}>
        <h2>You were the only guardian</h2>
        <p>
          Your password alone is not enough — a thief might have it. You need one of the recovery codes you saved when
          you made your account, and your child’s toy in your hands.
        </p>
        <div id={ids.error} className="form-error" role="alert">
          {error}
        </div>
        <label htmlFor={ids.code}>Recovery code</label>
        <input
          id={ids.code}
          className="mono"
          autoComplete="off"
          spellCheck={false}
          value={recoveryCode}
          onChange={(e) => setRecoveryCode(e.target.value)}
        />
        <label htmlFor={ids.pairing}>Code the toy shows while you hold its pairing button</label>
        <input
          id={ids.pairing}
          className="mono code-input"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          placeholder="ABC123-DEFG-HJKM-NPQR"
          value={pairingCode}
          onChange={(e) => setPairingCode(e.target.value)}
        />
        <p>
          The toy checks this itself. Afterwards your old devices are out of the family, the recovery code is used up,
          and we email you that it happened.
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking with the toy…' : 'Make this browser the guardian'}
        </button>
      </form>
    </Page>
  );
}
