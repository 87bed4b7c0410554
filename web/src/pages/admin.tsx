// Administrator pages: the queue (pending and running builds and stages, pause/resume), runners, user accounts.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { StatusBadge } from '../components/status.js';
import { useLoad, useNow } from '../hooks.js';
import { elapsed, formatDuration, refName, timeAgo } from '../lib/format.js';
import type { Stage, User } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';

/** A stage as `GET /api/queue` lists it (Drone's stage JSON). */
interface QueuedStage {
  id: number;
  build_id: number;
  number: number;
  name: string;
  status: Stage['status'];
  machine?: string;
  created: number;
  started: number;
}

/** A runner as `GET /api/runners` lists it (a Hangar extension). */
interface RunnerRow {
  name: string;
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant?: string;
  labels: Record<string, string>;
  capacity?: number;
  version?: string;
  last_seen: number;
  stages: {
    id: number;
    repo: string;
    build: number;
    number: number;
    name: string;
    status: Stage['status'];
  }[];
}

/** Re-reads `reload` every 5 s while the page is open (the queue has no stream). */
function useEvery5s(reload: () => Promise<void> | void) {
  useEffect(() => {
    const t = setInterval(() => void reload(), 5000);
    return () => clearInterval(t);
  }, [reload]);
}

/** `/admin/queue`: builds from `GET /api/builds/incomplete`, stages from `GET /api/queue`, pause/resume. */
export function QueuePage() {
  const { api } = useSession();
  const queue = useLoad(() => api.incomplete(), [api]);
  const stages = useLoad(() => api.call<QueuedStage[]>('GET', '/api/queue'), [api]);
  const status = useLoad(
    () => api.call<{ paused: boolean; pending: number; running: number }>('GET', '/api/queue/status'),
    [api],
  );
  const [error, setError] = useState<unknown>();
  const now = useNow(true);
  const { reload } = queue;
  const reloadAll = useCallback(async () => {
    await Promise.all([reload(), stages.reload(), status.reload()]);
  }, [reload, stages.reload, status.reload]);
  useEvery5s(reloadAll);
  if (queue.error && !queue.data) return <ErrorView error={queue.error} retry={() => void reload()} />;
  const list = queue.data ?? [];
  const builds = new Map<number, { slug: string; number: number }>();
  for (const r of list) if (r.build) builds.set(r.build.id, { slug: r.slug, number: r.build.number });
  const paused = status.data?.paused ?? false;
  const toggle = async () => {
    setError(undefined);
    try {
      await api.call<void>(paused ? 'POST' : 'DELETE', '/api/queue');
      await reloadAll();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h1>Queue</h1>
      <p className="small muted">
        Builds that are pending or running, in every repository. Refreshed every 5 seconds.
      </p>
      <ActionError error={error} />
      {status.data && (
        <p className={paused ? 'notice' : 'small'} data-testid="queue-state">
          {paused
            ? 'Dispatch is paused: runners get no new stages until it is resumed.'
            : 'Dispatch is running.'}{' '}
          <button type="button" onClick={() => void toggle()}>
            {paused ? 'Resume dispatch' : 'Pause dispatch'}
          </button>
        </p>
      )}
      <div className="panel">
        {queue.loading && !queue.data ? (
          <p className="pad muted">Loading…</p>
        ) : list.length === 0 ? (
          <p className="pad muted">Nothing is waiting or running.</p>
        ) : (
          <ul className="list" aria-label="Queued builds">
            {list.map((r) =>
              r.build ? (
                <li key={`${r.slug}#${r.build.number}`}>
                  <Link className="item" to={urls.build(r.slug, r.build.number)}>
                    <StatusBadge status={r.build.status} compact />
                    <span className="grow">
                      <span className="title">
                        {r.slug} #{r.build.number}
                      </span>
                      <span className="meta">
                        <span className="tag">{r.build.event}</span>
                        <span>{refName(r.build.ref)}</span>
                        <span>created {timeAgo(r.build.created, now)}</span>
                        {r.build.started ? (
                          <span>running {formatDuration(elapsed(r.build.started, 0, now) ?? 0)}</span>
                        ) : null}
                      </span>
                    </span>
                  </Link>
                </li>
              ) : null,
            )}
          </ul>
        )}
      </div>
      {(stages.data ?? []).length > 0 && (
        <>
          <h2>Stages</h2>
          <div className="panel table-wrap">
            <table className="table" aria-label="Queued stages">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Build</th>
                  <th scope="col">Status</th>
                  <th scope="col">Runner</th>
                  <th scope="col">Queued</th>
                </tr>
              </thead>
              <tbody>
                {(stages.data ?? []).map((st) => {
                  const b = builds.get(st.build_id);
                  return (
                    <tr key={st.id}>
                      <td className="first">{st.name}</td>
                      <td data-label="Build">
                        {b ? <Link to={urls.build(b.slug, b.number)}>{`${b.slug} #${b.number}`}</Link> : '—'}
                      </td>
                      <td data-label="Status">
                        <StatusBadge status={st.status} compact /> {st.status}
                      </td>
                      <td data-label="Runner">{st.machine ?? '—'}</td>
                      <td data-label="Queued">{timeAgo(st.created, now)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <p className="small muted">Open a build to see why each of its stages waits.</p>
    </>
  );
}

/** `/admin/runners`: the runners the server has heard from (`GET /api/runners`). */
export function RunnersPage() {
  const { api } = useSession();
  const runners = useLoad(() => api.call<RunnerRow[]>('GET', '/api/runners'), [api]);
  const now = useNow(true);
  useEvery5s(runners.reload);
  if (runners.error && !runners.data) {
    return <ErrorView error={runners.error} retry={() => void runners.reload()} />;
  }
  const list = runners.data ?? [];
  return (
    <>
      <h1>Runners</h1>
      <p className="small muted">
        Every runner that has asked this server for work, with what it can run. Refreshed every 5 seconds.
      </p>
      <div className="panel table-wrap">
        {runners.loading && !runners.data ? (
          <p className="pad muted">Loading…</p>
        ) : list.length === 0 ? (
          <p className="pad muted" data-testid="runners-empty">
            No runner has connected yet. Start one with <code>hangar runner</code>.
          </p>
        ) : (
          <table className="table" aria-label="Runners">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Labels</th>
                <th scope="col">Capacity</th>
                <th scope="col">Last seen</th>
                <th scope="col">Running</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.name} data-testid="runner-row">
                  <td className="first">
                    {r.name} {r.version && <span className="tag">{r.version}</span>}
                  </td>
                  <td data-label="Platform">
                    {r.type || r.kind} {r.os}/{r.arch}
                    {r.variant ? `/${r.variant}` : ''}
                  </td>
                  <td data-label="Labels">
                    {Object.entries(r.labels).map(([k, v]) => (
                      <span key={k} className="tag">
                        {k}={v}
                      </span>
                    ))}
                  </td>
                  <td data-label="Capacity">{r.capacity ?? '—'}</td>
                  <td data-label="Last seen">{timeAgo(r.last_seen, now)}</td>
                  <td data-label="Running">
                    {r.stages.length === 0
                      ? 'idle'
                      : r.stages.map((st) => (
                          <div key={st.id}>
                            <Link to={urls.build(st.repo, st.build)}>
                              {st.repo} #{st.build}
                            </Link>{' '}
                            {st.name}
                          </div>
                        ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

/** `/admin/users`: accounts and their tokens. */
export function UsersPage() {
  const { api, user: me } = useSession();
  const users = useLoad(() => api.users(), [api]);
  const [error, setError] = useState<unknown>();
  const [login, setLogin] = useState('');
  const [admin, setAdmin] = useState(false);
  const [machine, setMachine] = useState(false);
  const [created, setCreated] = useState<{ login: string; token: string }>();
  const now = useNow(false);

  if (users.error && !users.data) return <ErrorView error={users.error} retry={() => void users.reload()} />;

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      await users.reload();
    } catch (err) {
      setError(err);
    }
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(undefined);
    await act(async () => {
      const u = await api.createUser({ login: login.trim(), admin, machine });
      setLogin('');
      if (u.token) setCreated({ login: u.login, token: u.token });
    });
  };

  return (
    <>
      <h1>Users</h1>
      <ActionError error={error} />
      <div className="panel table-wrap">
        <table className="table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Login</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u: User) => (
              <tr key={u.login}>
                <td className="first">
                  {u.login} {!u.active && <span className="tag">inactive</span>}
                </td>
                <td data-label="Role">{u.admin ? 'admin' : u.machine ? 'machine' : 'user'}</td>
                <td data-label="Last sign-in">{timeAgo(u.last_login, now)}</td>
                <td className="actions">
                  {u.login !== me?.login && (
                    <>
                      <button
                        type="button"
                        onClick={() => void act(() => api.updateUser(u.login, { admin: !u.admin }))}
                      >
                        {u.admin ? 'Make user' : 'Make admin'}
                      </button>{' '}
                      <button
                        type="button"
                        onClick={() => void act(() => api.updateUser(u.login, { active: !u.active }))}
                      >
                        {u.active ? 'Deactivate' : 'Activate'}
                      </button>{' '}
                      <button
                        type="button"
                        className="danger"
                        onClick={() =>
                          window.confirm(`Delete the account ${u.login}?`) &&
                          void act(() => api.deleteUser(u.login))
                        }
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Add a user</h2>
      <form className="panel pad" onSubmit={create} aria-label="Add a user">
        <div className="field">
          <label htmlFor="new-login">Login</label>
          <input id="new-login" value={login} onChange={(e) => setLogin(e.target.value)} required />
        </div>
        <label className="check">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
          <span>
            <b>Administrator</b>
          </span>
        </label>
        <label className="check">
          <input type="checkbox" checked={machine} onChange={(e) => setMachine(e.target.checked)} />
          <span>
            <b>Machine account</b>
            <span className="small muted">For scripts and bots.</span>
          </span>
        </label>
        <button className="primary" type="submit">
          Add user
        </button>
      </form>
      {created && (
        <div className="notice" role="status">
          <p style={{ marginTop: 0 }}>
            The API token of <b>{created.login}</b>, shown only now; hand it over safely:
          </p>
          <input
            readOnly
            value={created.token}
            onFocus={(e) => e.target.select()}
            style={{ width: '100%' }}
          />
        </div>
      )}
    </>
  );
}
