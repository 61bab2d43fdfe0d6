/** The web console: session, navigation and pages. It talks only to the API under /api/v1. */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { createFetchClient, type Session } from '../shared/api.js';
import '../shared/styles.css';
import './console.css';
import { setDisplayTimeZone } from '../shared/format.js';
import { IssuePage } from './pages/IssuePage.js';
import { ApprovalsPage, RequestsPage } from './pages/RequestsPage.js';
import { RequestDetailPage } from './pages/RequestDetailPage.js';
import { InspectPage } from './pages/InspectPage.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { AccessPage } from './pages/AccessPage.js';
import { interceptLinks, navigate, useLocation } from './router.js';

let csrf: string | null = null;
const api = createFetchClient({
  csrfToken: () => csrf,
  onUnauthenticated: () => {
    if (location.pathname !== '/login') navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
  },
});

const NAV: { href: string; label: string; licensing?: boolean; admin?: boolean }[] = [
  { href: '/issue', label: 'Issue' },
  { href: '/requests', label: 'Requests' },
  { href: '/approvals', label: 'Approvals', licensing: true },
  { href: '/inspect', label: 'Inspect a license' },
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/access', label: 'Access', admin: true },
];

function titleOf(path: string): string {
  if (path === '/' || path === '/issue') return 'Issue an emergency license';
  if (path === '/requests') return 'Requests';
  if (path.startsWith('/requests/')) return 'Request';
  if (path === '/approvals') return 'Pending approvals';
  if (path === '/inspect') return 'License inspector';
  if (path === '/dashboard') return 'Dashboard';
  if (path === '/access') return 'Tokens and sessions';
  if (path === '/login') return 'Sign in';
  return 'Not found';
}

function App() {
  const loc = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    api
      .get<Session>('/api/v1/session')
      .then((res) => {
        if (res.status === 200) {
          csrf = res.body.csrfToken;
          setDisplayTimeZone(res.body.supportTimeZone);
          setSession(res.body);
        } else setSession(null);
      })
      .catch(() => setSession(null));
  }, []);

  useEffect(() => {
    if (session === null && loc.path !== '/login')
      navigate(`/login${loc.path !== '/' ? `?next=${encodeURIComponent(loc.path)}` : ''}`, { replace: true });
  }, [session, loc.path]);

  const title = titleOf(loc.path);
  useEffect(() => {
    document.title = `${title} · Lifeline`;
    // Move focus to the page heading on navigation (not on first load), for keyboard and screen readers.
    if (first.current) first.current = false;
    else mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [loc.path, title]);

  const signedIn = (s: Session): void => {
    csrf = s.csrfToken;
    setDisplayTimeZone(s.supportTimeZone);
    setSession(s);
    const next = loc.search.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };

  /** Back to the login page once the session has ended (signed out here, or ended by an admin). */
  function signedOut(): void {
    csrf = null;
    setSession(null);
    navigate('/login', { replace: true });
  }

  async function signOut(): Promise<void> {
    await api.post('/api/v1/session/logout', {}).catch(() => undefined);
    signedOut();
  }

  const page = (() => {
    if (loc.path === '/login')
      return (
        <LoginPage
          api={api}
          error={loc.search.get('error')}
          next={loc.search.get('next')}
          onSignedIn={signedIn}
        />
      );
    if (!session) return <p class="muted">Loading…</p>;
    const role = session.user.role;
    if (loc.path === '/' || loc.path === '/issue')
      return <IssuePage api={api} session={session} search={loc.search} />;
    if (loc.path === '/requests') return <RequestsPage api={api} loc={loc} />;
    if (loc.path === '/approvals') return <ApprovalsPage api={api} role={role} />;
    const detail = /^\/requests\/([^/]+)$/.exec(loc.path);
    if (detail?.[1]) return <RequestDetailPage api={api} id={decodeURIComponent(detail[1])} role={role} />;
    if (loc.path === '/inspect') return <InspectPage api={api} />;
    if (loc.path === '/dashboard') return <DashboardPage api={api} role={role} />;
    if (loc.path === '/access') return <AccessPage api={api} role={role} onOwnSessionEnded={signedOut} />;
    return (
      <p>
        No page here. <a href="/">Go to the issue form</a>.
      </p>
    );
  })();

  return (
    <>
      {/* A fragment link alone scrolls but leaves the focus on the link: move it to the page's heading. */}
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
        }}
      >
        Skip to content
      </a>
      {session?.developmentKey ? (
        // On every page, like a payment dashboard's test mode: nobody should mistake these licenses.
        // A landmark of its own, so that no content of the page is outside one.
        <section aria-label="Development key">
          <p class="dev-key-banner" role="note">
            <strong>Development key:</strong> GitLab will not accept these licenses
          </p>
        </section>
      ) : null}
      <header class="topbar">
        <a class="brand" href="/">
          Lifeline
        </a>
        {session ? (
          <nav aria-label="Main">
            <ul>
              {NAV.filter(
                (n) =>
                  (!n.licensing || session.user.role !== 'engineer') &&
                  (!n.admin || session.user.role === 'admin'),
              ).map((n) => (
                <li key={n.href}>
                  <a
                    href={n.href}
                    aria-current={
                      loc.path === n.href ||
                      (n.href === '/issue' && loc.path === '/') ||
                      (n.href === '/requests' && loc.path.startsWith('/requests/'))
                        ? 'page'
                        : undefined
                    }
                  >
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {session ? (
          <div class="user">
            <span>
              {session.user.name} <span class="muted">({session.user.role})</span>
            </span>
            <button type="button" class="link-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main" ref={mainRef}>
        <h1 tabIndex={-1}>{title}</h1>
        {page}
      </main>
    </>
  );
}

interceptLinks();
const root = document.getElementById('app');
if (root) render(<App />, root);
