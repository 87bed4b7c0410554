// The frame of every repository page: its name, tabs, and the repo JSON shared with the pages
// inside (through the router's outlet context).
import { useState } from 'react';
import { Link, NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { useLoad } from '../hooks.js';
import type { Repo } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';

/** What pages inside a repo get. */
export interface RepoContext {
  repo: Repo;
  owner: string;
  name: string;
  setRepo: (repo: Repo) => void;
}

/** The repo of the page (inside RepoLayout). */
export function useRepo(): RepoContext {
  return useOutletContext<RepoContext>();
}

/** `/:owner/:name/*`. */
export function RepoLayout() {
  const { owner = '', name = '' } = useParams();
  const { api } = useSession();
  const repo = useLoad(() => api.repo(owner, name), [api, owner, name]);
  const [error, setError] = useState<unknown>();

  if (repo.error) return <ErrorView error={repo.error} retry={() => void repo.reload()} />;
  if (!repo.data) return <p className="muted">Loading…</p>;
  const r = repo.data;
  const perm = r.permissions ?? { read: true, write: false, admin: false };
  const ctx: RepoContext = { repo: r, owner, name, setRepo: (next) => repo.set(() => next) };

  const activate = async () => {
    setError(undefined);
    try {
      repo.set(() => undefined);
      await api.enableRepo(owner, name);
    } catch (err) {
      setError(err);
    }
    await repo.reload();
  };

  return (
    <>
      <div className="spread">
        <h1 className="ellipsis">
          <Link to={urls.home()} className="muted">
            {r.namespace}
          </Link>{' '}
          / <Link to={urls.repo(r.slug)}>{r.name}</Link>
        </h1>
        {r.link && (
          <a href={r.link} rel="noreferrer noopener" target="_blank" className="small">
            Open in {r.scm || 'SCM'}
          </a>
        )}
      </div>
      {!r.active && (
        <div className="notice" role="status">
          This repository is not active: Hangar ignores its webhooks and builds nothing.{' '}
          {perm.admin && (
            <button type="button" onClick={() => void activate()}>
              Activate
            </button>
          )}
        </div>
      )}
      <ActionError error={error} />
      <nav className="tabs" aria-label="Repository">
        <NavLink to={urls.repo(r.slug)} end>
          Builds
        </NavLink>
        {perm.write && <NavLink to={urls.secrets(r.slug)}>Secrets</NavLink>}
        {perm.write && <NavLink to={urls.crons(r.slug)}>Cron jobs</NavLink>}
        {perm.admin && <NavLink to={urls.settings(r.slug)}>Settings</NavLink>}
      </nav>
      <Outlet context={ctx} />
    </>
  );
}
