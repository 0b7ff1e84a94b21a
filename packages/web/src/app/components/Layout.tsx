import { useEffect, useState, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { t } from '../../i18n/index.js';
import { useGuardian } from '../context.js';
import { follow, usePath } from '../router.js';
import { CountBadge } from './CountBadge.js';
import { Icon, type IconName } from './Icon.js';
import { NoticeBanner } from './IncidentNotice.js';
import { LanguagePicker } from './LanguagePicker.js';

export interface Tab {
  path: string;
  label: string;
  icon: IconName;
}

/**
 * At most five tabs, phone or desktop: the everyday pages first, the rest on the More page. A
 * guardian's fourth tab is Family (join requests and new devices wait there); a relative's is Toys.
 */
export function mainTabs(role: string | null): Tab[] {
  return [
    { path: '/', label: t('nav.home'), icon: 'home' },
    { path: '/talk', label: t('nav.talk'), icon: 'mic' },
    { path: '/listen', label: t('nav.listen'), icon: 'listen' },
    role === 'guardian'
      ? { path: '/family', label: t('nav.family'), icon: 'family' }
      : { path: '/toys', label: t('nav.toys'), icon: 'toy' },
    { path: '/more', label: t('nav.more'), icon: 'more' },
  ];
}

/** What the More page lists: every page that is not a tab. */
export function morePages(role: string | null): Tab[] {
  const all: Tab[] = [
    ...(role === 'guardian' ? [{ path: '/review', label: t('nav.review'), icon: 'chat' as const }] : []),
    { path: '/toys', label: t('nav.toys'), icon: 'toy' },
    { path: '/family', label: t('nav.family'), icon: 'family' },
    { path: '/devices', label: t('nav.devices'), icon: 'key' },
    { path: '/security', label: t('nav.security'), icon: 'key' },
    { path: '/notices', label: t('nav.notices'), icon: 'chat' },
  ];
  const tabbed = new Set(mainTabs(role).map((t) => t.path));
  return all.filter((p) => !tabbed.has(p.path));
}

export function Brand() {
  return (
    <span className="brand">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <circle cx="9" cy="8" r="5" fill="#a0522d" />
        <circle cx="23" cy="8" r="5" fill="#a0522d" />
        <circle cx="16" cy="18" r="12" fill="#c98b5a" />
        <path d="M16 26c-3-2.2-6-4.4-6-7a3 3 0 0 1 6-1 3 3 0 0 1 6 1c0 2.6-3 4.8-6 7z" fill="#e0457b" />
      </svg>
      Burrow
    </span>
  );
}

/**
 * Whether the browser has a network at all. The stream's socket can take a long while to notice a lost
 * network, so "Connected" alone would stay up while every send fails.
 */
function useBrowserOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** Header, main region and the bottom tab bar of the signed-in app. */
export function Layout({ children }: { children: ReactNode }) {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const path = usePath();
  const online = useBrowserOnline();
  const connected = online && state.live;
  const unheard = state.messages.filter((m) => !m.heard && guardian.names.isToy(m.from)).length;
  const shown = mainTabs(state.role);
  const waitingPeople = state.waiting.joins + state.waiting.devices;
  const onMorePage = path === '/more' || morePages(state.role).some((p) => p.path === path);
  const signOut = () => void guardian.session.logOut().catch(() => undefined);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <Brand />
        <a
          className="top-link wide-only"
          href="/notices"
          onClick={follow}
          aria-current={path === '/notices' ? 'page' : undefined}
        >
          {t('nav.notices')}
        </a>
        <a
          className="top-link wide-only"
          href="/security"
          onClick={follow}
          aria-current={path === '/security' ? 'page' : undefined}
        >
          {t('nav.security')}
        </a>
        <span className={`live ${connected ? 'on' : 'off'}`} role="status">
          <span className="dot" aria-hidden="true" />
          {!online ? t('layout.offline') : state.live ? t('layout.connected') : t('layout.connecting')}
        </span>
        <button type="button" className="top-link sign-out" onClick={signOut}>
          {t('common.signOut')}
        </button>
      </header>
      <main id="main" className="content">
        <NoticeBanner hidden={path === '/notices'} />
        {state.mustAddSecondFactor && path !== '/security' ? (
          <p className="card warn" role="note">
            <Trans
              i18nKey="layout.secondFactorNeeded"
              components={{ link: <a href="/security" onClick={follow} /> }}
            />
          </p>
        ) : null}
        {waitingPeople > 0 && path !== '/family' ? (
          <p className="card note waiting-people" role="status">
            <a href="/family" onClick={follow}>
              {state.waiting.devices > 0
                ? state.waiting.joins > 0
                  ? t('layout.deviceWaitingAndJoin')
                  : t('layout.deviceWaiting')
                : t('layout.joinWaiting')}
            </a>
          </p>
        ) : null}
        {children}
      </main>
      <nav className="tabbar" aria-label={t('nav.main')}>
        <ul>
          {shown.map((tab) => (
            <li key={tab.path}>
              <a
                href={tab.path}
                onClick={follow}
                aria-current={path === tab.path || (tab.path === '/more' && onMorePage) ? 'page' : undefined}
              >
                <Icon name={tab.icon} />
                {tab.label}
                {tab.path === '/listen' ? (
                  <CountBadge count={unheard} word={t('common.new')} className="tab-badge" />
                ) : null}
                {tab.path === '/family' ? (
                  <CountBadge count={waitingPeople} word={t('common.waiting')} className="tab-badge" />
                ) : null}
                {tab.path === '/review' || tab.path === '/more' ? (
                  <CountBadge count={state.reviews.length} word={t('common.waiting')} className="tab-badge" />
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}

/** The frame of the signed-out and first-run pages: no tab bar. */
export function Bare({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="shell bare">
      <a className="skip" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <Brand />
        <LanguagePicker compact />
      </header>
      <main id="main" className="content narrow">
        {children}
      </main>
    </div>
  );
}
