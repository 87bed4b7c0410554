// A repository's builds, newest first, updated live; more on demand; a custom build.
import { type FormEvent, useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { LiveBadge } from '../components/live.js';
import { StatusBadge } from '../components/status.js';
import { useLoad, useNow, useRepoEvents } from '../hooks.js';
import { parseParams } from '../lib/api.js';
import { elapsed, firstLine, formatDuration, refName, timeAgo } from '../lib/format.js';
import { upsertBuild } from '../lib/live.js';
import { isRunning } from '../lib/status.js';
import type { Build, Repo } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';
import { useRepo } from './repo.js';

const PER_PAGE = 25;

/** `/:owner/:name`. */
export function BuildsPage() {
  const { api } = useSession();
  const { repo, owner, name } = useRepo();
  const [pages, setPages] = useState(1);
  const [more, setMore] = useState(true);
  const builds = useLoad(async () => {
    const list = await api.builds(owner, name, { page: 1, per_page: PER_PAGE });
    setPages(1);
    setMore(list.length === PER_PAGE);
    return list;
  }, [api, owner, name]);
  const { set, reload } = builds;

  const onRepo = useCallback(
    (event: Repo) => {
      const b = event.build;
      if (b) set((list) => (list ? upsertBuild(list, b) : list));
    },
    [set],
  );
  // Polling re-reads the first page only, keeping pages loaded with "Show more".
  const poll = useCallback(async () => {
    try {
      const first = await api.builds(owner, name, { page: 1, per_page: PER_PAGE });
      set((list) => first.reduce((acc, b) => upsertBuild(acc, b), list ?? []));
    } catch {
      // the next poll tries again
    }
  }, [api, owner, name, set]);
  const mode = useRepoEvents(repo.slug, onRepo, () => void poll());
  const running = (builds.data ?? []).some((b) => isRunning(b.status));
  const now = useNow(running);

  const loadMore = async () => {
    const next = await api.builds(owner, name, { page: pages + 1, per_page: PER_PAGE });
    setPages(pages + 1);
    setMore(next.length === PER_PAGE);
    set((list) => next.reduce((acc, b) => upsertBuild(acc, b), list ?? []));
  };

  if (builds.error && !builds.data) return <ErrorView error={builds.error} retry={() => void reload()} />;
  return (
    <>
      <div className="spread" style={{ marginBottom: '0.75rem' }}>
        <h2 style={{ margin: 0 }}>Builds</h2>
        <div className="row">
          <LiveBadge mode={mode} />
          {repo.permissions?.write && repo.active && <NewBuild />}
        </div>
      </div>
      <div className="panel">
        {builds.loading && !builds.data ? (
          <p className="pad muted">Loading…</p>
        ) : (builds.data ?? []).length === 0 ? (
          <p className="pad muted">
            No builds yet. Push to the repository
            {repo.permissions?.write ? ' or start one with “New build”' : ''}.
          </p>
        ) : (
          <ul className="list" aria-label="Builds">
            {(builds.data ?? []).map((b) => (
              <li key={b.number}>
                <BuildItem slug={repo.slug} build={b} now={now} />
              </li>
            ))}
          </ul>
        )}
      </div>
      {more && (builds.data ?? []).length > 0 && (
        <p>
          <button type="button" onClick={() => void loadMore()}>
            Show older builds
          </button>
        </p>
      )}
    </>
  );
}

function BuildItem({ slug, build: b, now }: { slug: string; build: Build; now: number }) {
  const took = elapsed(b.started, b.finished, now);
  const author = b.author_login || b.author_name || b.sender || b.trigger;
  return (
    <Link to={urls.build(slug, b.number)} className="item" data-testid="build-item" data-number={b.number}>
      <StatusBadge status={b.status} compact />
      <span className="grow" style={{ minWidth: 0 }}>
        <span className="row" style={{ flexWrap: 'nowrap' }}>
          <span className="title">#{b.number}</span>
          <span className="ellipsis grow">{firstLine(b.title || b.message) || <em>no message</em>}</span>
        </span>
        <span className="meta">
          <span className="tag">{b.event}</span>
          <span>{b.deploy_to ? `→ ${b.deploy_to}` : refName(b.ref)}</span>
          {b.after && <span className="mono">{b.after.slice(0, 8)}</span>}
          {author && <span>by {author}</span>}
          {took !== undefined && <span>{formatDuration(took)}</span>}
          <span>{timeAgo(b.created, now)}</span>
        </span>
      </span>
    </Link>
  );
}

function NewBuild() {
  const { api } = useSession();
  const { owner, name, repo } = useRepo();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [branch, setBranch] = useState('');
  const [params, setParams] = useState('');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNote(undefined);
    try {
      const build = await api.createBuild(owner, name, branch.trim(), parseParams(params));
      if (build) navigate(urls.build(repo.slug, build.number));
      else setNote('No pipeline matched this branch, so no build was created.');
    } catch (err) {
      setError(err);
    }
  };

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New build
      </button>
    );
  }
  return (
    <form onSubmit={submit} className="panel pad" style={{ width: '100%' }} aria-label="New build">
      <div className="field">
        <label htmlFor="nb-branch">Branch</label>
        <input
          id="nb-branch"
          value={branch}
          placeholder={repo.default_branch}
          onChange={(e) => setBranch(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="nb-params">Parameters</label>
        <textarea id="nb-params" rows={3} value={params} onChange={(e) => setParams(e.target.value)} />
        <span className="hint">One KEY=value per line; they become build parameters.</span>
      </div>
      <ActionError error={error} />
      {note && <p className="notice">{note}</p>}
      <div className="row">
        <button className="primary" type="submit">
          Start build
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </form>
  );
}
