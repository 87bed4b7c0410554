// Administrator pages: the queue (every pending or running build), runners, user accounts.
import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { StatusBadge } from '../components/status.js';
import { useLoad, useNow } from '../hooks.js';
import { elapsed, formatDuration, refName, timeAgo } from '../lib/format.js';
import type { User } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';

/** `/admin/queue`: from `GET /api/builds/incomplete`, refreshed every 5 seconds. */
export function QueuePage() {
  const { api } = useSession();
  const queue = useLoad(() => api.incomplete(), [api]);
  const now = useNow(true);
  const { reload } = queue;
  // Re-read every 5 s (the API has no queue stream).
  useEffect(() => {
    const t = setInterval(() => void reload(), 5000);
    return () => clearInterval(t);
  }, [reload]);
  if (queue.error && !queue.data) return <ErrorView error={queue.error} retry={() => void reload()} />;
  const list = queue.data ?? [];
  return (
    <>
      <h1>Queue</h1>
      <p className="small muted">
        Builds that are pending or running, in every repository. Refreshed every 5 seconds.
      </p>
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
      <p className="notice gap-note small">
        Not available yet: stage-level queue details (position, which runner could take a stage) and
        cancelling from here need Drone's <code>/api/queue</code>, which this server does not serve yet. Open
        a build to see why each of its stages waits.
      </p>
    </>
  );
}

/** `/admin/runners`: the API has no runner list yet. */
export function RunnersPage() {
  return (
    <>
      <h1>Runners</h1>
      <p className="notice gap-note" data-testid="runners-gap">
        Not available yet: this server has no REST endpoint listing runners (their platform, labels, capacity
        and last contact). The runner page will show them once the API offers it.
      </p>
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
                <td>
                  {u.login} {!u.active && <span className="tag">inactive</span>}
                </td>
                <td>{u.admin ? 'admin' : u.machine ? 'machine' : 'user'}</td>
                <td>{timeAgo(u.last_login, now)}</td>
                <td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
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
