import { useTranslation } from 'react-i18next';
import { CountBadge } from '../components/CountBadge.js';
import { Icon } from '../components/Icon.js';
import { LanguagePicker } from '../components/LanguagePicker.js';
import { morePages } from '../components/Layout.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

/** Every page that is not one of the five tabs, the language, and signing out of this browser. */
export function More() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const pages = morePages(state.role);
  return (
    <Page title={t('more.title')}>
      <nav aria-label={t('more.title')} className="card">
        <ul className="list plain more-list">
          {pages.map((p) => (
            <li key={p.path}>
              <a href={p.path} onClick={follow} className="more-link">
                <Icon name={p.icon} />
                {p.label}
                {p.path === '/review' ? (
                  <CountBadge count={state.reviews.length} word={t('common.waiting')} className="badge" />
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="card">
        <LanguagePicker />
      </section>
      <section className="card">
        <p>
          {t('more.signedInAs')} <strong>{state.email}</strong>.
        </p>
        <button
          type="button"
          className="ghost"
          onClick={() => void guardian.session.logOut().catch(() => undefined)}
        >
          {t('more.signOutHere')}
        </button>
      </section>
    </Page>
  );
}
