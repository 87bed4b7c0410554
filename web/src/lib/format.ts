// Times and durations as the pages show them.

/** `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * How long something ran (unix seconds): `started` to `finished`, or to `now` while it runs;
 * undefined when it never started.
 */
export function elapsed(
  started: number | undefined,
  finished: number | undefined,
  now: number,
): number | undefined {
  if (!started) return undefined;
  const end = finished && finished >= started ? finished : now;
  return Math.max(0, end - started);
}

/** `just now`, `5 minutes ago`, `3 days ago` for a unix time. */
export function timeAgo(ts: number, now: number): string {
  if (!ts) return 'never';
  const d = now - ts;
  if (d < 0) {
    const ahead = -d;
    if (ahead < 60) return 'in a few seconds';
    if (ahead < 3600) return `in ${Math.round(ahead / 60)} min`;
    if (ahead < 86400) return `in ${Math.round(ahead / 3600)} h`;
    return `in ${Math.round(ahead / 86400)} days`;
  }
  if (d < 45) return 'just now';
  if (d < 3600) return plural(Math.max(1, Math.round(d / 60)), 'minute');
  if (d < 86400) return plural(Math.round(d / 3600), 'hour');
  if (d < 86400 * 30) return plural(Math.round(d / 86400), 'day');
  if (d < 86400 * 365) return plural(Math.round(d / (86400 * 30)), 'month');
  return plural(Math.round(d / (86400 * 365)), 'year');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** A unix time as a local date and time. */
export function formatTime(ts: number): string {
  return ts ? new Date(ts * 1000).toLocaleString() : '';
}

/** `main`, `v1.2.0`, `#42` (pull request) or the raw ref. */
export function refName(ref: string): string {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  if (ref.startsWith('refs/tags/')) return ref.slice('refs/tags/'.length);
  const pr = /^refs\/(?:pull|merge-requests)\/(\d+)\//.exec(ref);
  if (pr) return `#${pr[1]}`;
  return ref;
}

/** The first line of a commit message. */
export function firstLine(message: string): string {
  return message.split('\n', 1)[0]?.trim() ?? '';
}
