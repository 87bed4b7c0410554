// A status as a coloured mark plus a word, so it never relies on colour alone.
import { statusLabel, statusTone } from '../lib/status.js';
import type { Status } from '../lib/types.js';

const MARKS: Record<string, string> = { ok: '✓', bad: '✕', busy: '●', hold: '❚❚', idle: '○' };

/** The status mark, with its word (visible, or for screen readers only when `compact`). */
export function StatusBadge({ status, compact = false }: { status: Status; compact?: boolean }) {
  const tone = statusTone(status);
  const label = statusLabel(status);
  return (
    <span className={`status tone-${tone}`} data-status={status} title={label}>
      <span className="status-dot" aria-hidden="true">
        {MARKS[tone]}
      </span>
      <span className={compact ? 'visually-hidden' : ''}>{label}</span>
    </span>
  );
}
