import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow, navigate } from '../router.js';
import { FormError } from '../components/FormStatus.js';

/**
 * /recover — "Lost your phone?" from the new-device screen (docs/safety.md, "Losing every device").
 * Another guardian approving this browser is the ordinary way and is said first; a sole guardian with
 * no approved device left proves more than the password: a recovery code and the toy in hand (the
 * code it shows while its pairing button is held), which the toy itself checks (protocol §5.1).
 */
export function Recover() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { code: useId(), pairing: useId(), error: useId() };
  const [recoveryCode, setRecoveryCode] = useState('');
  const [pairingCode, setPairingCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (state.inRoster) {
    return (
      <Page title={t('recover.title')}>
        <div className="card" role="status">
          <p>{t('recover.allSet')}</p>
          <a href="/" onClick={follow}>
            {t('recover.goHome')}
          </a>
        </div>
      </Page>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!recoveryCode.trim() || !pairingCode.trim()) {
      setError(t('recover.bothNeeded'));
      return;
    }
    setBusy(true);
    try {
      await guardian.family.recoverGuardian(recoveryCode, pairingCode);
      navigate('/');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('recover.title')} intro={t('recover.intro')}>
      <div className="card">
        <h2>{t('recover.otherGuardianTitle')}</h2>
        <p>{t('recover.otherGuardianBody')}</p>
        <p className="mono fingerprint" data-testid="recover-fingerprint">
          {guardian.devices.fingerprint()}
        </p>
      </div>
      <form className="card form" noValidate aria-describedby={ids.error} onSubmit={(e) => void submit(e)}>
        <h2>{t('recover.soleTitle')}</h2>
        <p>{t('recover.soleBody')}</p>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.code}>{t('recover.codeLabel')}</label>
        <input
          id={ids.code}
          className="mono"
          autoComplete="off"
          spellCheck={false}
          value={recoveryCode}
          onChange={(e) => setRecoveryCode(e.target.value)}
        />
        <label htmlFor={ids.pairing}>{t('recover.toyCodeLabel')}</label>
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
        <p>{t('recover.afterwards')}</p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('recover.checking') : t('recover.submit')}
        </button>
      </form>
    </Page>
  );
}
