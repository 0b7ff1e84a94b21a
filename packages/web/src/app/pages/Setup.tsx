import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { PrivacyNotice, PRIVACY_NOTICE_VERSION } from '../privacy.js';
import { DeleteAccountCard } from './Deleting.js';

/** First run: the privacy notice and consent, then the family and the first child. */
export function Setup() {
  const [state, guardian] = useGuardian();
  const ids = { consent: useId(), child: useId(), sender: useId(), error: useId(), notice: useId() };
  const [consent, setConsent] = useState(false);
  const [childName, setChildName] = useState('');
  const [senderName, setSenderName] = useState(state.senderName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!consent)
      return setError('Please read the privacy notice and tick the box to agree before adding your child.');
    if (!childName.trim()) return setError('Enter your child’s first name or a nickname.');
    if (!senderName.trim()) return setError('Enter the name your child knows you by, like Mum or Grandpa.');
    setBusy(true);
    setError(null);
    try {
      await guardian.setUp({ childName, senderName, consentedNotice: PRIVACY_NOTICE_VERSION });
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Page title="Welcome to Burrow" intro="Two quick steps and you can talk to your child’s toy.">
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <div id={ids.error} className="form-error" role="alert">
          {error}
        </div>
        <section className="card" aria-labelledby={ids.notice}>
          <h2 id={ids.notice}>1. Our privacy notice</h2>
          <div className="notice" tabIndex={0} role="region" aria-label="Privacy notice text">
            <PrivacyNotice />
          </div>
          <div className="check">
            <input
              id={ids.consent}
              type="checkbox"
              checked={consent}
              onChange={(e) => setConsent(e.target.checked)}
            />
            <label htmlFor={ids.consent}>
              I am this child’s parent or legal guardian. I have read the privacy notice and I agree to it.
            </label>
          </div>
        </section>
        <section className="card">
          <h2>2. Your family</h2>
          <label htmlFor={ids.child}>Your child’s first name or nickname</label>
          <input
            id={ids.child}
            autoComplete="off"
            value={childName}
            onChange={(e) => setChildName(e.target.value)}
            aria-describedby={`${ids.child}-hint`}
          />
          <p className="hint" id={`${ids.child}-hint`}>
            Sealed in this browser: Burrow’s servers never see it.
          </p>
          <label htmlFor={ids.sender}>Your name, as your child knows you</label>
          <input
            id={ids.sender}
            autoComplete="nickname"
            placeholder="Mum, Grandpa, Auntie Jo…"
            value={senderName}
            onChange={(e) => setSenderName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating your family…' : 'Create our family'}
          </button>
        </section>
      </form>
      <DeleteAccountCard />
    </Page>
  );
}
