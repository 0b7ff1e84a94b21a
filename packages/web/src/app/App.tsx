import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Bare, Layout } from './components/Layout.js';
import { Page } from './components/Page.js';
import { useGuardian } from './context.js';
import { Activity } from './pages/Activity.js';
import { Devices } from './pages/Devices.js';
import { Family } from './pages/Family.js';
import { Home } from './pages/Home.js';
import { Join, joinInProgress } from './pages/Join.js';
import { Listen } from './pages/Listen.js';
import { More } from './pages/More.js';
import { Notices } from './pages/Notices.js';
import { LogIn, SignUp } from './pages/Auth.js';
import { Recover } from './pages/Recover.js';
import { RecoveryCodesStep } from './pages/RecoveryCodes.js';
import { ResetPassword } from './pages/ResetPassword.js';
import { Review } from './pages/Review.js';
import { Security } from './pages/Security.js';
import { VerifyEmail } from './pages/VerifyEmail.js';
import { Setup } from './pages/Setup.js';
import { Talk } from './pages/Talk.js';
import { Toys } from './pages/Toys.js';
import { navigate, usePath } from './router.js';

/**
 * The app's routes. The server answers each with index.html, so keep this list, the paths in
 * expectedPath() and WEB_APP_ROUTES in packages/server/src/web/serve-web.ts in step.
 */
const signedInPages: Record<string, () => JSX.Element> = {
  '/': Home,
  '/talk': Talk,
  '/listen': Listen,
  '/toys': Toys,
  '/family': Family,
  '/activity': Activity,
  '/review': Review,
  '/devices': Devices,
  '/security': Security,
  '/notices': Notices,
  '/more': More,
  '/recover': Recover,
};

/** Which path a phase belongs on, when the current one is not allowed. */
/** Pages that open a mailed link: shown whether or not anyone is signed in. */
const linkPages: Record<string, () => JSX.Element> = {
  '/verify-email': VerifyEmail,
  '/reset-password': ResetPassword,
};

function expectedPath(phase: string, path: string, returning: boolean): string | null {
  if (path in linkPages) return null;
  if (phase === 'signed-out')
    return path === '/signup' || path === '/login' || path === '/join'
      ? null
      : returning
        ? '/login'
        : '/signup';
  // Signed in without a family: a relative joining with an invitation, or a guardian setting up.
  if (phase === 'setup') {
    if (path === '/join' || path === '/welcome') return null;
    return joinInProgress() ? '/join' : '/welcome';
  }
  if (phase === 'ready') return path in signedInPages ? null : '/';
  return null;
}

export function App() {
  const [state] = useGuardian();
  const { t } = useTranslation();
  const path = usePath();
  const target = expectedPath(state.phase, path, state.returning);
  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  if (state.phase === 'loading' || target) {
    return (
      <Bare>
        <p className="loading" role="status">
          {t('app.opening')}
        </p>
      </Bare>
    );
  }
  if (state.phase === 'failed') {
    return (
      <Bare>
        <Page title={t('app.couldNotStart')}>
          <p role="alert">{state.error}</p>
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            {t('common.tryAgain')}
          </button>
        </Page>
      </Bare>
    );
  }
  const LinkPage = linkPages[path];
  if (LinkPage) {
    return (
      <Bare>
        <LinkPage />
      </Bare>
    );
  }
  // Sign-up's recovery codes come first, once, before anything else.
  if (state.recoveryCodes) {
    return (
      <Bare>
        <RecoveryCodesStep />
      </Bare>
    );
  }
  if (path === '/join' && (state.phase === 'signed-out' || state.phase === 'setup')) {
    return (
      <Bare>
        <Join />
      </Bare>
    );
  }
  if (state.phase === 'signed-out') return <Bare>{path === '/login' ? <LogIn /> : <SignUp />}</Bare>;
  if (state.phase === 'setup') {
    return (
      <Bare>
        <Setup />
      </Bare>
    );
  }
  const Current = signedInPages[path] ?? Home;
  return (
    <Layout>
      <Current />
    </Layout>
  );
}
