// A small label telling how fresh a page is: live over the event stream, or refreshed by polling.
import type { LiveMode } from '../hooks.js';

/** `Live`, `Connecting…` or `Refreshing every Ns`. */
export function LiveBadge({ mode, pollSeconds = 5 }: { mode: LiveMode; pollSeconds?: number }) {
  const text =
    mode === 'live' ? 'Live' : mode === 'connecting' ? 'Connecting…' : `Refreshing every ${pollSeconds}s`;
  const title =
    mode === 'polling'
      ? 'This server has no event stream for this page yet, so it is re-read periodically.'
      : undefined;
  return (
    <span className="tag" data-live={mode} title={title} aria-live="polite">
      {text}
    </span>
  );
}
