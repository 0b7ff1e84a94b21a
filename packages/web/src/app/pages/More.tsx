import { CountBadge } from '../components/CountBadge.js';
import { Icon } from '../components/Icon.js';
import { morePages } from '../components/Layout.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

/** Every page that is not one of the five tabs, and signing out of this browser. */
export function More() {
  const [state, guardian] = useGuardian();
  const pages = morePages(state.role);
  return (
    <Page title="More">
      <nav aria-label="More" className="card">
        <ul className="list plain more-list">
          {pages.map((p) => (
            <li key={p.path}>
              <a href={p.path} onClick={follow} className="more-link">
                <Icon name={p.icon} />
                {p.label}
                {p.path === '/review' ? <CountBadge count={state.reviews.length} word="waiting" className="badge" /> : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="card">
        <p>
          Signed in as <strong>{state.email}</strong>.
        </p>
        <button type="button" className="ghost" onClick={() => void guardian.logOut().catch(() => undefined)}>
          Sign out of this browser
        </button>
      </section>
    </Page>
  );
}
