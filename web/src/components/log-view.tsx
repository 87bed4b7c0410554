// One step's log: loaded from the API when the step is over, streamed while it runs (the server's
// log stream, resumed after a drop with Last-Event-ID; the stored lines re-read to fill any hole;
// polling where the server has no stream). Lines are drawn only where the viewport is, so a
// 100 000-line log scrolls as fast as a short one; ANSI colours, links, linkable line numbers,
// follow mode and a raw download.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { type Span, ansiSpans } from '../lib/ansi.js';
import { ApiError } from '../lib/api.js';
import { formatDuration } from '../lib/format.js';
import { LogBuffer, parseLine } from '../lib/log-buffer.js';
import { openStream } from '../lib/sse.js';
import type { Line, Step } from '../lib/types.js';
import { lineFromHash } from '../lib/urls.js';
import { useSession } from '../session.js';

const ROW = 20;
const OVERSCAN = 30;

/** Where the lines of a step come from right now. */
type Source = 'waiting' | 'loading' | 'live' | 'reconnecting' | 'polling' | 'done' | 'skipped' | 'error';

interface Props {
  owner: string;
  name: string;
  build: number;
  stage: number;
  step: Step;
  /** The step's page URL (line links are this plus `#L<n>`). */
  url: string;
  /** File name of the download. */
  fileName: string;
}

function phaseOf(step: Step): 'waiting' | 'running' | 'done' | 'skipped' {
  if (step.status === 'running') return 'running';
  if (step.status === 'skipped' && !step.started) return 'skipped';
  if (step.status === 'pending' || step.status === 'blocked' || step.status === 'waiting_on_dependencies')
    return 'waiting';
  return 'done';
}

/** Follows a step's log into a LogBuffer; returns the buffer, its version and where lines come from. */
function useStepLog(props: Props) {
  const { api, token } = useSession();
  const { owner, name, build, stage, step } = props;
  const identity = `${owner}/${name}/${build}/${stage}/${step.number}`;
  const buffer = useMemo(() => {
    void identity;
    return new LogBuffer();
  }, [identity]);
  const [version, setVersion] = useState(0);
  const [source, setSource] = useState<Source>('loading');
  const [error, setError] = useState<unknown>();
  const phase = phaseOf(step);

  useEffect(() => {
    let alive = true;
    const bump = () => alive && setVersion(buffer.version);
    const fetchStored = async () => {
      const lines = await api.logs(owner, name, build, stage, step.number);
      if (!alive) return;
      buffer.add(lines);
      bump();
    };
    const fail = (err: unknown) => {
      if (!alive) return;
      setError(err);
      setSource('error');
    };

    if (phase === 'skipped') {
      setSource('skipped');
      return;
    }
    if (phase === 'waiting') {
      setSource('waiting');
      return;
    }
    if (phase === 'done') {
      setSource('loading');
      fetchStored()
        .then(() => alive && setSource('done'))
        .catch(fail);
      return () => {
        alive = false;
      };
    }

    // Running: the stored lines first, then the live stream.
    setSource('loading');
    let poller: ReturnType<typeof setInterval> | undefined;
    const pending: Line[] = [];
    let flush: number | undefined;
    // Lines arriving in a burst are drawn once per frame, not once per line.
    const queue = (line: Line) => {
      pending.push(line);
      if (flush !== undefined) return;
      flush = requestAnimationFrame(() => {
        flush = undefined;
        buffer.add(pending.splice(0));
        bump();
      });
    };
    fetchStored().catch(() => {});
    const stream = openStream(`/api/stream/${owner}/${name}/${build}/${stage}/${step.number}`, {
      token,
      onOpen: (again) => {
        if (!alive) return;
        setSource('live');
        // Anything the server no longer replays is read from the stored lines.
        if (again) setTimeout(() => buffer.gaps().length > 0 && void fetchStored().catch(() => {}), 500);
      },
      onDrop: () => alive && setSource('reconnecting'),
      onEvent: (ev) => {
        const line = parseLine(ev.data);
        if (line) queue(line);
      },
      onEnd: (end) => {
        if (!alive) return;
        if (end.kind === 'eof') {
          fetchStored()
            .then(() => alive && setSource('done'))
            .catch(fail);
        } else if (end.kind === 'unsupported') {
          setSource('polling');
          poller = setInterval(() => void fetchStored().catch(() => {}), 1000);
        } else if (end.kind === 'refused') {
          fail(new ApiError(end.status, 'The server refused the log stream.'));
        }
      },
    });
    return () => {
      alive = false;
      stream.close();
      if (poller) clearInterval(poller);
      if (flush !== undefined) cancelAnimationFrame(flush);
    };
  }, [api, token, owner, name, build, stage, step.number, phase, buffer]);

  return { buffer, version, source, error };
}

/** The log panel of a step. */
export function LogView(props: Props) {
  const { buffer, version, source, error } = useStepLog(props);
  const location = useLocation();
  const navigate = useNavigate();
  const marked = lineFromHash(location.hash);
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(marked === undefined);
  const [view, setView] = useState({ top: 0, height: 600 });
  const lines = buffer.lines;
  const count = lines.length;
  const jumped = useRef<string>('');

  // Follow: stay at the bottom as lines arrive.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when lines arrive
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [version, follow]);

  // A `#L<n>` link: scroll that line into view once it is loaded (`lines` is one array that
  // grows in place, so `version` is what changes).
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || marked === undefined) return;
    const key = `${props.url}#${marked}`;
    const index = lines.findIndex((l) => l.pos + 1 === marked);
    if (index < 0 || jumped.current === key) return;
    jumped.current = key;
    setFollow(false);
    el.scrollTop = Math.max(0, index * ROW - el.clientHeight / 3);
  }, [marked, version, props.url, lines]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const el = box.current;
    if (!el) return;
    setView({ top: el.scrollTop, height: el.clientHeight });
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW;
    setFollow((f) => (f && !atBottom ? false : f));
  }, []);

  const onLineLink = useCallback(
    (n: number) => {
      navigate({ hash: `#L${n}` }, { replace: true });
      setFollow(false);
    },
    [navigate],
  );

  const download = () => {
    const blob = new Blob([buffer.text()], { type: 'text/plain;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = props.fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const first = Math.max(0, Math.floor(view.top / ROW) - OVERSCAN);
  const last = Math.min(count, Math.ceil((view.top + view.height) / ROW) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const line = lines[i]!;
    rows.push(
      <LogLine
        key={line.pos}
        line={line}
        top={i * ROW}
        marked={marked === line.pos + 1}
        url={props.url}
        onLink={onLineLink}
      />,
    );
  }

  const empty =
    source === 'waiting'
      ? 'This step has not started yet.'
      : source === 'skipped'
        ? 'This step was skipped.'
        : source === 'loading'
          ? 'Loading…'
          : source === 'error'
            ? ''
            : source === 'done'
              ? 'This step printed nothing.'
              : 'Waiting for output…';

  return (
    <section className="panel" aria-label={`Log of ${props.step.name}`}>
      <div className="log-bar">
        <strong className="grow ellipsis">{props.step.name}</strong>
        <span className="small muted" data-testid="log-source" data-source={source} aria-live="polite">
          {source === 'live'
            ? 'Live'
            : source === 'reconnecting'
              ? 'Reconnecting…'
              : source === 'polling'
                ? 'Refreshing every second'
                : ''}
        </span>
        <span className="small muted">
          {count.toLocaleString()} line{count === 1 ? '' : 's'}
        </span>
        <button
          type="button"
          aria-pressed={follow}
          onClick={() => setFollow(!follow)}
          title="Keep the newest line in view"
        >
          Follow
        </button>
        <button type="button" onClick={download} disabled={count === 0}>
          Download
        </button>
      </div>
      {source === 'error' && (
        <p className="notice error" role="alert" style={{ margin: '0.75rem' }}>
          Could not load the log: {error instanceof Error ? error.message : String(error)}
        </p>
      )}
      <div
        className="log"
        ref={box}
        onScroll={onScroll}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        data-testid="log"
      >
        {count === 0 ? (
          <div className="log-empty">{empty}</div>
        ) : (
          <div className="log-inner" style={{ height: count * ROW }}>
            {rows}
          </div>
        )}
      </div>
    </section>
  );
}

const LogLine = memo(function LogLine({
  line,
  top,
  marked,
  url,
  onLink,
}: {
  line: Line;
  top: number;
  marked: boolean;
  url: string;
  onLink: (n: number) => void;
}) {
  const n = line.pos + 1;
  const spans = useMemo(() => ansiSpans(line.out), [line.out]);
  return (
    <div className={`log-line${marked ? ' marked' : ''}`} style={{ top }} data-pos={line.pos}>
      <a
        className="ln"
        href={`${url}#L${n}`}
        id={`L${n}`}
        onClick={(e) => {
          e.preventDefault();
          onLink(n);
        }}
      >
        {n}
      </a>
      <span className="lt">
        {spans.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: spans of one line never reorder
          <SpanView key={i} span={s} />
        ))}
      </span>
      <span className="ts">{formatDuration(line.time)}</span>
    </div>
  );
});

function SpanView({ span: s }: { span: Span }) {
  const style =
    s.fg || s.bg || s.bold || s.dim || s.italic || s.underline || s.strike
      ? {
          color: s.fg,
          background: s.bg,
          fontWeight: s.bold ? 700 : undefined,
          opacity: s.dim ? 0.7 : undefined,
          fontStyle: s.italic ? 'italic' : undefined,
          textDecoration:
            [s.underline && 'underline', s.strike && 'line-through'].filter(Boolean).join(' ') || undefined,
        }
      : undefined;
  if (s.href) {
    return (
      <a href={s.href} target="_blank" rel="noreferrer noopener" style={style}>
        {s.text}
      </a>
    );
  }
  return style ? <span style={style}>{s.text}</span> : s.text;
}
