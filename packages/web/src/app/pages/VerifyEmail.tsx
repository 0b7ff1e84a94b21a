import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { follow } from '../router.js';
import { linkToken, securityApi } from '../security-api.js';

/** Opens the link mailed at sign-up (/verify-email#token=…): confirms the address, once. */
export function VerifyEmail() {
  const { t } = useTranslation();
  // The failure is kept, not its text: the text is made at render, so it follows a change of language.
  const [state, setState] = useState<
    { kind: 'working' } | { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'no-code' }
  >({ kind: 'working' });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = linkToken();
    if (!token) {
      setState({ kind: 'no-code' });
      return;
    }
    securityApi.verifyEmail(token).then(
      () => setState({ kind: 'done' }),
      (error: unknown) => setState({ kind: 'failed', error }),
    );
  }, []);
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
          <p role="alert">
            {state.kind === 'no-code'
              ? t('verifyEmail.noCode')
              : // The server refuses a used, expired or mistyped link with a 400 and an English
                // sentence: said here in the app's language instead.
                isApiError(state.error) && state.error.status === 400
                ? t('verifyEmail.badLink')
                : describeError(state.error)}
          </p>
          <p>{t('verifyEmail.newLink')}</p>
          <a href="/" onClick={follow}>
            {t('verifyEmail.open')}
          </a>
        </div>
      )}
    </Page>
  );
}
