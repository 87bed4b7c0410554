// Why a stage has not started: the server's explanation (its summary, the facts behind it and
// each runner's fit) where the server offers one, else what the stage itself shows.
import { useEffect, useState } from 'react';
import { ApiError } from '../lib/api.js';
import { whyWaiting } from '../lib/status.js';
import type { PendingExplanation, Stage } from '../lib/types.js';
import { useSession } from '../session.js';

const WAITING = new Set(['pending', 'waiting_on_dependencies', 'blocked']);

/** The reason panel of a stage (nothing once it runs). */
export function WaitingReason({
  owner,
  name,
  build,
  stage,
  stages,
}: {
  owner: string;
  name: string;
  build: number;
  stage: Stage;
  stages: readonly Stage[];
}) {
  const { api } = useSession();
  const waiting = WAITING.has(stage.status);
  const [explained, setExplained] = useState<PendingExplanation>();
  const [unsupported, setUnsupported] = useState(false);

  useEffect(() => {
    setExplained(undefined);
    if (!waiting || unsupported) return;
    let live = true;
    const load = () =>
      api
        .pending(owner, name, build, stage.number)
        .then((e) => live && setExplained(e))
        .catch((err: unknown) => {
          // A server without the endpoint answers the generic 404.
          if (live && err instanceof ApiError && err.status === 404 && err.message === 'Not Found')
            setUnsupported(true);
        });
    void load();
    // Runners come and go without the build changing: look again now and then.
    const t = setInterval(load, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [api, owner, name, build, stage.number, waiting, unsupported]);

  if (!waiting) return null;
  const local = whyWaiting(stage, stages);
  if (!explained) {
    return local ? (
      <div className="why" data-testid="why-waiting">
        {local}
      </div>
    ) : null;
  }
  return (
    <div className="why" data-testid="why-waiting">
      <p style={{ margin: 0 }}>{explained.summary}</p>
      {explained.ahead !== undefined && explained.ahead > 0 && (
        <p style={{ margin: '0.25rem 0 0' }}>
          {explained.ahead} stage{explained.ahead === 1 ? '' : 's'} ahead in the queue.
        </p>
      )}
      {(explained.reasons.length > 0 || explained.runners.length > 0) && (
        <details style={{ marginTop: '0.25rem' }}>
          <summary>Details</summary>
          <ul style={{ paddingLeft: '1.1rem', margin: '0.25rem 0' }}>
            {explained.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          {explained.runners.length > 0 && (
            <ul className="list" aria-label="Runners">
              {explained.runners.map((r) => (
                <li key={r.name} style={{ padding: '0.25rem 0' }}>
                  <b>{r.name}</b>{' '}
                  <span className="mono">
                    {[r.os, r.arch, r.variant, r.kernel].filter(Boolean).join('/')}
                  </span>{' '}
                  {r.matches ? (
                    <span className="tag">fits</span>
                  ) : (
                    <span>— {r.mismatch ?? 'does not fit'}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </details>
      )}
    </div>
  );
}
