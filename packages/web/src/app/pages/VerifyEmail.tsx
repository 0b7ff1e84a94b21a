import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { follow } from '../router.js';
import { linkToken, securityApi } from '../security-api.js';

/** Opens the link mailed at sign-up (/verify-email#token=…): confirms the address, once. */
export function VerifyEmail() {
  const { t } = useTranslation();
  const [state, setState] = useState<
    { kind: 'working' } | { kind: 'done' } | { kind: 'failed'; message: string }
  >({ kind: 'working' });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = linkToken();
    if (!token) {
      setState({
        kind: 'failed',
        message: t('verifyEmail.noCode'),
      });
      return;
    }
    securityApi.verifyEmail(token).then(
      () => setState({ kind: 'done' }),
      (err: unknown) => setState({ kind: 'failed', message: describeError(err) }),
    );
  }, [t]);
  return (
    <Page title={t('verifyEmail.title')}>
      {state.kind === 'working' ? (
        <p role="status">{t('verifyEmail.working')}</p>
      ) : state.kind === 'done' ? (
        <div className="card" role="status">
          <p>
            <strong>{t('verifyEmail.done')}</strong> {t('verifyEmail.thanks')}
          </p>
          <a href="/" onClick={follow}>
            {t('verifyEmail.open')}
          </a>
        </div>
      ) : (
        <div className="card warn">
          <p role="alert">{state.message}</p>
          <p>{t('verifyEmail.newLink')}</p>
          <a href="/" onClick={follow}>
            {t('verifyEmail.open')}
          </a>
        </div>
      )}
    </Page>
  );
}
