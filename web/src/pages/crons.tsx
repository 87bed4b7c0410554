// A repository's cron jobs: list with the next run, create, change the branch, pause, delete.
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ActionError, accessError, ErrorView } from '../components/errors.js';
import { useLoad, useNow } from '../hooks.js';
import { formatTime, timeAgo } from '../lib/format.js';
import type { Cron } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';
import { useRepo } from './repo.js';

/** `/:owner/:name/cron`. */
export function CronsPage() {
  const { api, user } = useSession();
  const { owner, name, repo } = useRepo();
  const crons = useLoad(() => api.crons(owner, name), [api, owner, name]);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const navigate = useNavigate();
  const now = useNow(true, 30_000);

  if (!repo.permissions?.write) return <ErrorView error={accessError(!!user)} />;
  if (crons.error && !crons.data) return <ErrorView error={crons.error} retry={() => void crons.reload()} />;

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      await crons.reload();
    } catch (err) {
      setError(err);
    }
  };

  const runNow = async (c: Cron) => {
    setError(undefined);
    setNote(undefined);
    try {
      const build = await api.runCron(owner, name, c.name);
      if (build) navigate(urls.build(repo.slug, build.number));
      else setNote(`No pipeline of ${c.branch} runs for cron jobs, so no build was created.`);
    } catch (err) {
      setError(err);
    }
  };

  const list = crons.data ?? [];
  return (
    <>
      <ActionError error={error} />
      <div className="panel table-wrap">
        {crons.loading && !crons.data ? (
          <p className="pad muted">Loading…</p>
        ) : list.length === 0 ? (
          <p className="pad muted">No cron jobs yet.</p>
        ) : (
          <table className="table" aria-label="Cron jobs">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Schedule</th>
                <th scope="col">Branch</th>
                <th scope="col">Next run</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c: Cron) => (
                <tr key={c.name} data-testid="cron-row">
                  <td className="first">
                    <code>{c.name}</code> {c.disabled && <span className="tag">paused</span>}
                  </td>
                  <td data-label="Schedule">
                    <code>{c.expr}</code>
                  </td>
                  <td data-label="Branch">{c.branch}</td>
                  <td data-label="Next run" title={formatTime(c.next)}>
                    {c.disabled ? '—' : timeAgo(c.next, now)}
                  </td>
                  <td className="actions">
                    <button type="button" onClick={() => void runNow(c)}>
                      Run now
                    </button>{' '}
                    <button
                      type="button"
                      onClick={() =>
                        void act(() => api.updateCron(owner, name, c.name, { disabled: !c.disabled }))
                      }
                    >
                      {c.disabled ? 'Resume' : 'Pause'}
                    </button>{' '}
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        window.confirm(`Delete the cron job ${c.name}?`) &&
                        void act(() => api.deleteCron(owner, name, c.name))
                      }
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      <h2>Add a cron job</h2>
      <NewCron defaultBranch={repo.default_branch} onAdded={() => void crons.reload()} />
    </>
  );
}

function NewCron({ defaultBranch, onAdded }: { defaultBranch: string; onAdded: () => void }) {
  const { api } = useSession();
  const { owner, name } = useRepo();
  const [cronName, setCronName] = useState('');
  const [expr, setExpr] = useState('@daily');
  const [branch, setBranch] = useState(defaultBranch);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.createCron(owner, name, { name: cronName.trim(), expr: expr.trim(), branch: branch.trim() });
      setCronName('');
      onAdded();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form className="panel pad" onSubmit={submit} aria-label="Add a cron job">
      <div className="field">
        <label htmlFor="cron-name">Name</label>
        <input id="cron-name" value={cronName} onChange={(e) => setCronName(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="cron-expr">Schedule</label>
        <input id="cron-expr" value={expr} onChange={(e) => setExpr(e.target.value)} required />
        <span className="hint">
          Five fields as in crontab (<code>0 3 * * *</code> is 03:00 daily), six with seconds first as in
          Drone (<code>0 0 3 * * *</code>), or <code>@hourly</code>, <code>@daily</code>, <code>@weekly</code>
          , <code>@monthly</code>, <code>@yearly</code>, <code>@every 1h30m</code>. Times are UTC.
        </span>
      </div>
      <div className="field">
        <label htmlFor="cron-branch">Branch</label>
        <input id="cron-branch" value={branch} onChange={(e) => setBranch(e.target.value)} />
      </div>
      <ActionError error={error} />
      <button className="primary" type="submit">
        Add cron job
      </button>
    </form>
  );
}
