// A repository's settings (PATCH /api/repos/{owner}/{name}), its activation and its badge.
import { type FormEvent, useEffect, useState } from 'react';
import { ActionError, accessError, ErrorView } from '../components/errors.js';
import type { Repo } from '../lib/types.js';
import { useSession } from '../session.js';
import { useRepo } from './repo.js';

type Form = Pick<
  Repo,
  | 'visibility'
  | 'config_path'
  | 'trusted'
  | 'protected'
  | 'ignore_forks'
  | 'ignore_pull_requests'
  | 'auto_cancel_pushes'
  | 'auto_cancel_pull_requests'
  | 'auto_cancel_running'
  | 'timeout'
> & { throttle: number };

function formOf(r: Repo): Form {
  return {
    visibility: r.visibility,
    config_path: r.config_path,
    trusted: r.trusted,
    protected: r.protected,
    ignore_forks: r.ignore_forks,
    ignore_pull_requests: r.ignore_pull_requests,
    auto_cancel_pushes: r.auto_cancel_pushes,
    auto_cancel_pull_requests: r.auto_cancel_pull_requests,
    auto_cancel_running: r.auto_cancel_running,
    timeout: r.timeout,
    throttle: r.throttle ?? 0,
  };
}

/** The badge image (`GET /api/badges/{o}/{n}/status.svg`), or a note when it cannot be loaded. */
function BadgePreview({ url }: { url: string }) {
  const [state, setState] = useState<'checking' | 'ok' | 'missing'>('checking');
  useEffect(() => {
    let live = true;
    fetch(url, { method: 'GET', cache: 'no-store' })
      .then((res) => live && setState(res.ok ? 'ok' : 'missing'))
      .catch(() => live && setState('missing'));
    return () => {
      live = false;
    };
  }, [url]);
  if (state === 'ok') return <img src={url} alt="Build status badge" />;
  if (state === 'missing') {
    return (
      <p className="notice gap-note small" data-testid="badge-gap">
        The badge could not be loaded from <code>/api/badges/…/status.svg</code>; check that this server is
        reachable at the URL below.
      </p>
    );
  }
  return null;
}

/** `/:owner/:name/settings`. */
export function SettingsPage() {
  const { api, user } = useSession();
  const { repo, owner, name, setRepo } = useRepo();
  const [form, setForm] = useState<Form>(() => formOf(repo));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const sysAdmin = !!user?.admin;

  useEffect(() => setForm(formOf(repo)), [repo]);
  if (!repo.permissions?.admin) return <ErrorView error={accessError(!!user)} />;

  const flag = (key: keyof Form, title: string, hint: string, disabled = false) => (
    <label className="check">
      <input
        type="checkbox"
        name={key}
        checked={form[key] as boolean}
        disabled={disabled}
        onChange={(e) => {
          setSaved(false);
          setForm({ ...form, [key]: e.target.checked });
        }}
      />
      <span>
        <b>{title}</b>
        <span className="small muted">{hint}</span>
      </span>
    </label>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const patch: Partial<Repo> = {
        visibility: form.visibility,
        config_path: form.config_path.trim(),
        protected: form.protected,
        ignore_forks: form.ignore_forks,
        ignore_pull_requests: form.ignore_pull_requests,
        auto_cancel_pushes: form.auto_cancel_pushes,
        auto_cancel_pull_requests: form.auto_cancel_pull_requests,
        auto_cancel_running: form.auto_cancel_running,
        // Only system administrators may change these; others do not send them.
        ...(sysAdmin ? { trusted: form.trusted, timeout: form.timeout, throttle: form.throttle } : {}),
      };
      const next = await api.updateRepo(owner, name, patch);
      setRepo({ ...repo, ...next });
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const toggleActive = async () => {
    setError(undefined);
    try {
      if (repo.active) {
        if (!window.confirm(`Deactivate ${repo.slug}? Hangar will stop building it.`)) return;
        setRepo({ ...repo, ...(await api.disableRepo(owner, name)) });
      } else {
        setRepo({ ...repo, ...(await api.enableRepo(owner, name)) });
      }
    } catch (err) {
      setError(err);
    }
  };

  const origin = window.location.origin;
  const badge = `${origin}/api/badges/${repo.slug}/status.svg`;
  const cctray = `${origin}/api/badges/${repo.slug}/cc.xml`;
  const page = `${origin}/${repo.slug}`;

  return (
    <form onSubmit={submit} aria-label="Repository settings">
      <fieldset>
        <legend>Pipeline</legend>
        <div className="field">
          <label htmlFor="config_path">Configuration file</label>
          <input
            id="config_path"
            value={form.config_path}
            onChange={(e) => setForm({ ...form, config_path: e.target.value })}
          />
          <span className="hint">Path of the pipeline file in the repository (default .drone.yml).</span>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="timeout">Timeout (minutes)</label>
            <input
              id="timeout"
              type="number"
              min={1}
              max={525600}
              value={form.timeout}
              disabled={!sysAdmin}
              onChange={(e) => setForm({ ...form, timeout: Number(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="throttle">Throttle (concurrent builds, 0 = no limit)</label>
            <input
              id="throttle"
              type="number"
              min={0}
              value={form.throttle}
              disabled={!sysAdmin}
              onChange={(e) => setForm({ ...form, throttle: Number(e.target.value) })}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="visibility">Visibility</label>
          <select
            id="visibility"
            value={form.visibility}
            onChange={(e) => setForm({ ...form, visibility: e.target.value as Repo['visibility'] })}
          >
            <option value="private">Private: only collaborators</option>
            <option value="internal">Internal: every signed-in user</option>
            <option value="public">Public: anyone</option>
          </select>
        </div>
        {!sysAdmin && (
          <p className="small muted">Timeout, throttle and trusted are changed by system administrators.</p>
        )}
      </fieldset>
      <fieldset>
        <legend>Security</legend>
        {flag(
          'trusted',
          'Trusted',
          'Pipelines may run privileged containers and mount host volumes.',
          !sysAdmin,
        )}
        {flag(
          'protected',
          'Protected',
          'A changed pipeline file must be signed (or approved) before it runs.',
        )}
        {flag('ignore_forks', 'Ignore forks', 'No builds for pull requests from forks.')}
        {flag('ignore_pull_requests', 'Ignore pull requests', 'No builds for pull requests at all.')}
      </fieldset>
      <fieldset>
        <legend>Auto-cancel</legend>
        {flag('auto_cancel_pushes', 'Pushes', 'A new push cancels pending builds of the same branch.')}
        {flag(
          'auto_cancel_pull_requests',
          'Pull requests',
          'A new commit cancels pending builds of the same pull request.',
        )}
        {flag('auto_cancel_running', 'Running builds too', 'Also cancel superseded builds that already run.')}
      </fieldset>
      <ActionError error={error} />
      {saved && (
        <p className="notice" role="status">
          Settings saved.
        </p>
      )}
      <div className="row">
        <button className="primary" type="submit" disabled={busy}>
          Save settings
        </button>
      </div>

      <h2>Activation</h2>
      <p className="small muted">
        {repo.active
          ? 'Active: webhooks start builds.'
          : 'Inactive: webhooks are ignored and nothing builds.'}
      </p>
      <button
        type="button"
        className={repo.active ? 'danger' : 'primary'}
        onClick={() => void toggleActive()}
      >
        {repo.active ? 'Deactivate repository' : 'Activate repository'}
      </button>

      <h2>Badge</h2>
      <p className="small muted">The build status of the default branch as an image, for a README.</p>
      <BadgePreview url={badge} />
      <div className="field">
        <label htmlFor="badge-url">Image URL</label>
        <input id="badge-url" readOnly value={badge} onFocus={(e) => e.target.select()} />
      </div>
      <div className="field">
        <label htmlFor="badge-md">Markdown</label>
        <input
          id="badge-md"
          readOnly
          value={`[![Build Status](${badge})](${page})`}
          onFocus={(e) => e.target.select()}
        />
      </div>
      <p className="small muted">
        A branch other than the default: add <code>?branch=NAME</code>. CCTray and CCMenu read{' '}
        <code>{cctray}</code> (with an API token for private repositories).
      </p>
    </form>
  );
}
