// The signed-in user's repositories, each with its newest build, live; search; activate; add one.
// A guest sees the public repositories, read-only.
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { LiveBadge } from '../components/live.js';
import { StatusBadge } from '../components/status.js';
import { useLoad, useNow, useRepoEvents } from '../hooks.js';
import { firstLine, refName, timeAgo } from '../lib/format.js';
import { applyRepoEvent, matchesSearch } from '../lib/live.js';
import type { Repo } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';

/** `/`. */
export function ReposPage() {
  const { api, user } = useSession();
  const guest = !user;
  const repos = useLoad(() => (guest ? api.publicRepos() : api.userRepos()), [api, guest]);
  const [search, setSearch] = useState('');
  const [actionError, setActionError] = useState<unknown>();
  const now = useNow(true, 30_000);
  const { set, reload } = repos;
  const onRepo = useCallback((r: Repo) => set((list) => (list ? applyRepoEvent(list, r) : list)), [set]);
  const mode = useRepoEvents(undefined, onRepo, () => void reload(), 10_000);

  const shown = useMemo(
    () => (repos.data ?? []).filter((r) => matchesSearch(r, search)),
    [repos.data, search],
  );
  const namespaces = useMemo(
    () => [...new Set((repos.data ?? []).map((r) => r.namespace))].sort(),
    [repos.data],
  );

  const activate = async (repo: Repo) => {
    setActionError(undefined);
    try {
      await api.enableRepo(repo.namespace, repo.name);
      await reload();
    } catch (err) {
      setActionError(err);
    }
  };

  if (repos.error && !repos.data) return <ErrorView error={repos.error} retry={() => void reload()} />;
  return (
    <>
      <div className="spread">
        <h1>{guest ? 'Public repositories' : 'Repositories'}</h1>
        <LiveBadge mode={mode} pollSeconds={10} />
      </div>
      <div className="row" style={{ marginBottom: '0.75rem' }}>
        <label htmlFor="repo-search" className="visually-hidden">
          Search repositories
        </label>
        <input
          id="repo-search"
          type="search"
          placeholder="Search repositories"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="grow"
        />
      </div>
      <ActionError error={actionError} />
      {guest && (
        <p className="small muted" data-testid="guest-note">
          You are not signed in: these are the public repositories, read-only.{' '}
          <Link to={urls.login()}>Sign in</Link> to see your own and to start, cancel or change builds.
        </p>
      )}
      <div className="panel">
        {repos.loading && !repos.data ? (
          <p className="pad muted">Loading…</p>
        ) : shown.length === 0 ? (
          <p className="pad muted">
            {search
              ? 'No repository matches your search.'
              : guest
                ? 'No public repositories.'
                : 'No repositories yet. Add one below.'}
          </p>
        ) : (
          <ul className="list" aria-label="Repositories">
            {shown.map((repo) => (
              <li key={repo.id} className="row" style={{ flexWrap: 'nowrap' }}>
                <Link to={urls.repo(repo.slug)} className="item grow" data-testid="repo-item">
                  {repo.build ? (
                    <StatusBadge status={repo.build.status} compact />
                  ) : (
                    <span className="status-dot" />
                  )}
                  <span className="grow">
                    <span className="title">{repo.slug}</span>{' '}
                    {!repo.active && <span className="tag">inactive</span>}
                    <span className="meta">
                      {repo.build ? (
                        <>
                          <span>#{repo.build.number}</span>
                          <span>{refName(repo.build.ref)}</span>
                          <span className="ellipsis">{firstLine(repo.build.message)}</span>
                          <span>{timeAgo(repo.build.created, now)}</span>
                        </>
                      ) : (
                        <span>No builds yet</span>
                      )}
                    </span>
                  </span>
                </Link>
                {!repo.active && !guest && (
                  <button type="button" onClick={() => void activate(repo)} style={{ marginRight: '1rem' }}>
                    Activate
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      {namespaces.length > 0 && !guest && (
        <p className="small muted">
          Organization secrets:{' '}
          {namespaces.map((ns, i) => (
            <span key={ns}>
              {i > 0 && ', '}
              <Link to={urls.orgSecrets(ns)}>{ns}</Link>
            </span>
          ))}
        </p>
      )}
      {!guest && <AddRepo onAdded={() => void reload()} />}
    </>
  );
}

function AddRepo({ onAdded }: { onAdded: () => void }) {
  const { api, user } = useSession();
  const navigate = useNavigate();
  const [slug, setSlug] = useState('');
  const [url, setUrl] = useState('');
  const [branch, setBranch] = useState('main');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(slug.trim());
    if (!m) {
      setError(new Error('Write the repository as owner/name.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const repo = await api.enableRepo(m[1]!, m[2]!, {
        ...(url.trim() ? { git_http_url: url.trim() } : {}),
        // An http(s) URL is a remote the server mirrors (scm `git`); a path is a repo on its machine.
        ...(/^https?:\/\//i.test(url.trim()) ? { scm: 'git' } : {}),
        ...(branch.trim() ? { default_branch: branch.trim() } : {}),
      });
      onAdded();
      navigate(urls.repo(repo.slug));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="panel pad" style={{ marginTop: '1rem' }}>
      <summary>Add a repository</summary>
      <form onSubmit={submit} style={{ marginTop: '0.75rem' }}>
        <div className="field">
          <label htmlFor="add-slug">Repository</label>
          <input
            id="add-slug"
            placeholder={`${user?.login ?? 'owner'}/project`}
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            required
          />
          <span className="hint">
            owner/name. Non-admins can add repositories under their own login only.
          </span>
        </div>
        <div className="field">
          <label htmlFor="add-url">Clone URL</label>
          <input id="add-url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />
        </div>
        <div className="field">
          <label htmlFor="add-branch">Default branch</label>
          <input id="add-branch" value={branch} onChange={(e) => setBranch(e.target.value)} />
        </div>
        <ActionError error={error} />
        <button className="primary" type="submit" disabled={busy}>
          Add and activate
        </button>
      </form>
    </details>
  );
}
