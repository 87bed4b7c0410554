// The page frame (header, navigation, skip link) and the URL → page table.
import { type ReactNode, useEffect, useRef } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { NotFoundPage } from './components/errors.js';
import { urls } from './lib/urls.js';
import { QueuePage, RunnersPage, UsersPage } from './pages/admin.js';
import { BuildPage } from './pages/build.js';
import { BuildsPage } from './pages/builds.js';
import { CronsPage } from './pages/crons.js';
import { RepoLayout } from './pages/repo.js';
import { ReposPage } from './pages/repos.js';
import { OrgSecretsPage, RepoSecretsPage } from './pages/secrets.js';
import { SettingsPage } from './pages/settings.js';
import { AccountPage } from './pages/account.js';
import { SignInPage } from './pages/signin.js';
import { useSession } from './session.js';

/** The whole app. */
export function App() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route
            path="/account"
            element={
              <Private>
                <AccountPage />
              </Private>
            }
          />
          <Route
            path="/"
            element={
              <GuestOk>
                <ReposPage />
              </GuestOk>
            }
          />
          <Route
            path="/admin/queue"
            element={
              <Private>
                <QueuePage />
              </Private>
            }
          />
          <Route
            path="/admin/runners"
            element={
              <Private>
                <RunnersPage />
              </Private>
            }
          />
          <Route
            path="/admin/users"
            element={
              <Private>
                <UsersPage />
              </Private>
            }
          />
          <Route
            path="/orgs/:namespace/secrets"
            element={
              <Private>
                <OrgSecretsPage />
              </Private>
            }
          />
          <Route
            path="/:owner/:name"
            element={
              <GuestOk>
                <RepoLayout />
              </GuestOk>
            }
          >
            <Route index element={<BuildsPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="secrets" element={<RepoSecretsPage />} />
            <Route path="cron" element={<CronsPage />} />
            <Route path=":number" element={<BuildPage />} />
            <Route path=":number/:stage" element={<BuildPage />} />
            <Route path=":number/:stage/:step" element={<BuildPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  );
}

/** Pages that need a signed-in user: without a token, the sign-in page (then back here). */
function Private({ children }: { children: ReactNode }) {
  const { user, checking, token } = useSession();
  const location = useLocation();
  if (checking) return <p className="muted">Loading…</p>;
  if (!user && !token()) {
    return <Navigate to={urls.login(`${location.pathname}${location.search}${location.hash}`)} replace />;
  }
  return <>{children}</>;
}

/**
 * Pages a guest may see too (public repositories, read-only, as in Drone): they wait until a stored
 * token has been checked, so they ask the API as the right person.
 */
function GuestOk({ children }: { children: ReactNode }) {
  const { checking } = useSession();
  if (checking) return <p className="muted">Loading…</p>;
  return <>{children}</>;
}

function TopBar() {
  const { user, signOut } = useSession();
  const location = useLocation();
  // Each page change (not the first load) moves focus to the content, as a full page load would
  // put it at the top, so keyboard and screen reader users start on the new page.
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Hangar home">
        <img src="/favicon.svg" alt="" width="22" height="22" />
        Hangar
      </Link>
      <nav aria-label="Main">
        <NavLink to="/" end>
          Repositories
        </NavLink>
        {user?.admin && <NavLink to={urls.queue()}>Queue</NavLink>}
        {user?.admin && <NavLink to={urls.runners()}>Runners</NavLink>}
        {user?.admin && <NavLink to={urls.users()}>Users</NavLink>}
      </nav>
      {user ? (
        <div className="who">
          <Link to="/account" data-testid="who" title="Your account and API token">
            {user.login}
          </Link>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      ) : (
        location.pathname !== '/signin' && (
          <Link className="button signin" to={urls.login(`${location.pathname}${location.search}${location.hash}`)}>
            Sign in
          </Link>
        )
      )}
    </header>
  );
}
