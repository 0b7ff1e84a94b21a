import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { PrivacyNotice, PRIVACY_NOTICE_VERSION } from '../privacy.js';
import { DeleteAccountCard } from './Deleting.js';
import { FormError } from '../components/FormStatus.js';

/** First run: the privacy notice and consent, then the family and the first child. */
export function Setup() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { consent: useId(), child: useId(), sender: useId(), error: useId(), notice: useId() };
  const [consent, setConsent] = useState(false);
  const [childName, setChildName] = useState('');
  const [senderName, setSenderName] = useState(state.senderName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!consent) return setError(t('setup.consentNeeded'));
    if (!childName.trim()) return setError(t('setup.childNeeded'));
    if (!senderName.trim()) return setError(t('setup.senderNeeded'));
    setBusy(true);
    setError(null);
    try {
      await guardian.session.setUp({ childName, senderName, consentedNotice: PRIVACY_NOTICE_VERSION });
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Page title={t('setup.title')} intro={t('setup.intro')}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <section className="card" aria-labelledby={ids.notice}>
          <h2 id={ids.notice}>{t('setup.step1')}</h2>
          <div className="notice" tabIndex={0} role="region" aria-label={t('setup.noticeText')}>
            <PrivacyNotice />
          </div>
          <div className="check">
            <input
              id={ids.consent}
              type="checkbox"
              checked={consent}
              onChange={(e) => setConsent(e.target.checked)}
            />
            <label htmlFor={ids.consent}>{t('setup.consent')}</label>
          </div>
        </section>
        <section className="card">
          <h2>{t('setup.step2')}</h2>
          <label htmlFor={ids.child}>{t('setup.childLabel')}</label>
          <input
            id={ids.child}
            autoComplete="off"
            value={childName}
            onChange={(e) => setChildName(e.target.value)}
            aria-describedby={`${ids.child}-hint`}
          />
          <p className="hint" id={`${ids.child}-hint`}>
            {t('setup.childHint')}
          </p>
          <label htmlFor={ids.sender}>{t('setup.senderLabel')}</label>
          <input
            id={ids.sender}
            autoComplete="nickname"
            placeholder={t('setup.senderPlaceholder')}
            value={senderName}
            onChange={(e) => setSenderName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('setup.creating') : t('setup.create')}
          </button>
        </section>
      </form>
      <DeleteAccountCard />
    </Page>
  );
}
