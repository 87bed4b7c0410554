// One build: what it built, its stages as a graph, the steps of the selected stage and the
// selected step's log; cancel, restart, promote/rollback, approve/decline; all of it live.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionError, ErrorView } from '../components/errors.js';
import { LiveBadge } from '../components/live.js';
import { LogView } from '../components/log-view.js';
import { StageGraph } from '../components/stage-graph.js';
import { StatusBadge } from '../components/status.js';
import { WaitingReason } from '../components/waiting.js';
import { useLoad, useNow, useRepoEvents } from '../hooks.js';
import { parseParams } from '../lib/api.js';
import { elapsed, formatDuration, formatTime, refName, timeAgo } from '../lib/format.js';
import { isDone, isFailed } from '../lib/status.js';
import type { Build, Repo, Stage, Step } from '../lib/types.js';
import { urls } from '../lib/urls.js';
import { useSession } from '../session.js';
import { useRepo } from './repo.js';

/** The step shown when the URL names none: a running one, else the first failed, else the first. */
function defaultStep(stages: readonly Stage[]): { stage: Stage; step: Step } | undefined {
  const all = stages.flatMap((stage) => (stage.steps ?? []).map((step) => ({ stage, step })));
  return (
    all.find((x) => x.step.status === 'running') ??
    all.find((x) => isFailed(x.step.status)) ??
    all.find((x) => x.step.status !== 'skipped') ??
    all[0]
  );
}

/** `/:owner/:name/:number[/:stage/:step]`. */
export function BuildPage() {
  const params = useParams();
  const number = Number(params.number);
  const { api } = useSession();
  const { repo, owner, name } = useRepo();
  const navigate = useNavigate();
  const build = useLoad(() => api.build(owner, name, number), [api, owner, name, number]);
  const { set, reload } = build;
  const b = build.data;

  const onRepo = useCallback(
    (event: Repo) => {
      const next = event.build;
      if (!next || next.number !== number) return;
      set((prev) => (prev && prev.version > next.version ? prev : { ...prev, ...next }));
    },
    [number, set],
  );
  const done = b ? isDone(b.status) : false;
  const doneRef = useRef(done);
  doneRef.current = done;
  const mode = useRepoEvents(
    repo.slug,
    onRepo,
    () => {
      if (!doneRef.current) void reload();
    },
    2000,
  );
  const now = useNow(!!b && !done);

  if (!Number.isInteger(number) || number < 1) return <ErrorView error={new Error('Not a build number.')} />;
  if (build.error && !b) return <ErrorView error={build.error} retry={() => void reload()} />;
  if (!b) return <p className="muted">Loading…</p>;

  const stages = b.stages ?? [];
  const chosen = (() => {
    if (params.stage) {
      const stage = stages.find((s) => s.number === Number(params.stage));
      const steps = stage?.steps ?? [];
      const step = params.step
        ? steps.find((s) => s.number === Number(params.step))
        : (steps.find((s) => s.status === 'running') ?? steps[0]);
      if (stage) return { stage, step };
    }
    return defaultStep(stages) ?? (stages[0] ? { stage: stages[0], step: undefined } : undefined);
  })();

  const selectStage = (n: number) => {
    const stage = stages.find((s) => s.number === n);
    if (stage) navigate(urls.stage(repo.slug, b.number, stage.number));
  };

  return (
    <>
      <BuildHeader build={b} now={now} mode={mode} onChange={(next) => set(() => next)} />
      {b.error && (
        <div className="notice error" role="alert">
          {b.error}
        </div>
      )}
      {stages.length > 1 && (
        <StageGraph stages={stages} selected={chosen?.stage.number} onSelect={selectStage} now={now} />
      )}
      {stages.length === 0 && !b.error && <p className="muted">This build has no stages.</p>}
      {chosen && (
        <div className="build-body">
          <StagePanel
            build={b}
            stage={chosen.stage}
            stages={stages}
            selected={chosen.step}
            now={now}
            reload={reload}
          />
          {chosen.step ? (
            <LogView
              owner={owner}
              name={name}
              build={b.number}
              stage={chosen.stage.number}
              step={chosen.step}
              url={urls.step(repo.slug, b.number, chosen.stage.number, chosen.step.number)}
              fileName={`${repo.namespace}-${repo.name}-${b.number}-${chosen.stage.name}-${chosen.step.name}.log`}
            />
          ) : (
            <p className="panel pad muted">This stage has no steps yet.</p>
          )}
        </div>
      )}
    </>
  );
}

function BuildHeader({
  build: b,
  now,
  mode,
  onChange,
}: {
  build: Build;
  now: number;
  mode: ReturnType<typeof useRepoEvents>;
  onChange: (b: Build) => void;
}) {
  const { repo } = useRepo();
  const took = elapsed(b.started, b.finished, now);
  const author = b.author_login || b.author_name || b.sender;
  const commitLink = b.link || '';
  return (
    <header className="build-head panel pad" style={{ marginBottom: '1rem' }}>
      <div className="spread">
        <h1 style={{ margin: 0 }} className="grow">
          <StatusBadge status={b.status} />
          <span>
            #{b.number} {b.title || b.message.split('\n', 1)[0] || ''}
          </span>
        </h1>
        <LiveBadge mode={mode} pollSeconds={2} />
      </div>
      <p className="meta" style={{ margin: '0.5rem 0' }}>
        <span className="tag">{b.event}</span>
        <span>{b.deploy_to ? `deploy to ${b.deploy_to}` : refName(b.ref)}</span>
        {b.after &&
          (commitLink ? (
            <a className="mono" href={commitLink} target="_blank" rel="noreferrer noopener">
              {b.after.slice(0, 8)}
            </a>
          ) : (
            <span className="mono">{b.after.slice(0, 8)}</span>
          ))}
        {author && <span>by {author}</span>}
        {b.parent ? (
          <span>
            from <Link to={urls.build(repo.slug, b.parent)}>#{b.parent}</Link>
          </span>
        ) : null}
        <span title={formatTime(b.created)}>created {timeAgo(b.created, now)}</span>
        {took !== undefined && <span>ran {formatDuration(took)}</span>}
      </p>
      {b.params && Object.keys(b.params).length > 0 && (
        <p className="small muted" style={{ margin: '0 0 0.5rem' }}>
          Parameters:{' '}
          {Object.entries(b.params).map(([k, v]) => (
            <code key={k} style={{ marginRight: '0.5rem' }}>
              {k}={v}
            </code>
          ))}
        </p>
      )}
      {repo.permissions?.write && <BuildActions build={b} onChange={onChange} />}
    </header>
  );
}

function BuildActions({ build: b, onChange }: { build: Build; onChange: (b: Build) => void }) {
  const { api } = useSession();
  const { repo, owner, name } = useRepo();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [deploy, setDeploy] = useState<'promote' | 'rollback' | undefined>();
  const [note, setNote] = useState<string>();

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const goTo = (next: Build | null) => {
    if (next) navigate(urls.build(repo.slug, next.number));
    else setNote('No pipeline matched, so no build was created.');
  };

  const cancellable = b.status === 'pending' || b.status === 'running' || b.status === 'blocked';
  const restartable = isDone(b.status) && b.status !== 'declined';
  return (
    <>
      <div className="row">
        {cancellable && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => void run(async () => onChange(await api.cancel(owner, name, b.number)))}
          >
            Cancel build
          </button>
        )}
        {restartable && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(async () => goTo(await api.restart(owner, name, b.number)))}
          >
            Restart
          </button>
        )}
        {isDone(b.status) && (
          <>
            <button type="button" disabled={busy} onClick={() => setDeploy('promote')}>
              Promote
            </button>
            <button type="button" disabled={busy} onClick={() => setDeploy('rollback')}>
              Rollback
            </button>
          </>
        )}
      </div>
      <ActionError error={error} />
      {note && <p className="notice">{note}</p>}
      {deploy && (
        <DeployDialog
          kind={deploy}
          onClose={() => setDeploy(undefined)}
          onSubmit={(target, params) =>
            run(async () => {
              const next = await api.deploy(owner, name, b.number, deploy, target, params);
              setDeploy(undefined);
              goTo(next);
            })
          }
        />
      )}
    </>
  );
}

function DeployDialog({
  kind,
  onClose,
  onSubmit,
}: {
  kind: 'promote' | 'rollback';
  onClose: () => void;
  onSubmit: (target: string, params: Record<string, string>) => Promise<void>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState('');
  const [params, setParams] = useState('');
  const [error, setError] = useState<string>();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (target.trim() === '') {
      setError('Name the target environment.');
      return;
    }
    let parsed: Record<string, string>;
    try {
      parsed = parseParams(params);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    await onSubmit(target.trim(), parsed);
  };
  const title = kind === 'promote' ? 'Promote this build' : 'Roll back to this build';
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="deploy-title">
      <form onSubmit={submit}>
        <h2 id="deploy-title" style={{ marginTop: 0 }}>
          {title}
        </h2>
        <div className="field">
          <label htmlFor="deploy-target">Target environment</label>
          <input
            id="deploy-target"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder="production"
            autoFocus
          />
          <span className="hint">Pipelines select it with `trigger: target:` (DRONE_DEPLOY_TO).</span>
        </div>
        <div className="field">
          <label htmlFor="deploy-params">Parameters</label>
          <textarea id="deploy-params" rows={4} value={params} onChange={(e) => setParams(e.target.value)} />
          <span className="hint">One KEY=value per line.</span>
        </div>
        {error && (
          <p className="notice error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button className="primary" type="submit">
            {kind === 'promote' ? 'Promote' : 'Roll back'}
          </button>
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function StagePanel({
  build: b,
  stage,
  stages,
  selected,
  now,
  reload,
}: {
  build: Build;
  stage: Stage;
  stages: readonly Stage[];
  selected: Step | undefined;
  now: number;
  reload: () => Promise<void>;
}) {
  const { api } = useSession();
  const { repo, owner, name } = useRepo();
  const [error, setError] = useState<unknown>();
  const took = elapsed(stage.started, stage.stopped, now);

  const decide = async (approve: boolean) => {
    setError(undefined);
    try {
      if (approve) await api.approve(owner, name, b.number, stage.number);
      else await api.decline(owner, name, b.number, stage.number);
      await reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <nav className="panel steps" aria-label={`Steps of ${stage.name}`}>
      <div className="stage-head">
        <div className="spread">
          <strong className="ellipsis">{stage.name}</strong>
          <StatusBadge status={stage.status} />
        </div>
        <div className="meta">
          {took !== undefined && <span>{formatDuration(took)}</span>}
          {stage.machine && <span>on {stage.machine}</span>}
          <span>
            {stage.os}/{stage.arch}
          </span>
        </div>
      </div>
      <WaitingReason owner={owner} name={name} build={b.number} stage={stage} stages={stages} />
      {stage.error && (
        <div className="why" style={{ color: 'var(--bad)' }}>
          {stage.error}
        </div>
      )}
      {stage.status === 'blocked' && repo.permissions?.admin && (
        <div className="why row">
          <button type="button" className="primary" onClick={() => void decide(true)}>
            Approve
          </button>
          <button type="button" className="danger" onClick={() => void decide(false)}>
            Decline
          </button>
        </div>
      )}
      <ActionError error={error} />
      <ul className="list">
        {(stage.steps ?? []).map((step) => {
          const t = elapsed(step.started, step.stopped, now);
          const active = selected?.number === step.number;
          return (
            <li key={step.number}>
              <Link
                to={urls.step(repo.slug, b.number, stage.number, step.number)}
                className={active ? 'active' : ''}
                aria-current={active ? 'page' : undefined}
                data-testid="step-link"
              >
                <StatusBadge status={step.status} compact />
                <span className="grow ellipsis">{step.name}</span>
                {t !== undefined && <span className="small muted">{formatDuration(t)}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
