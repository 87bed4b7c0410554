// Secret masking for a stream of output. Drone replaces secret values per write chunk, so a value
// split across two chunks leaks (drone-reference.md §8.8). Here the masker holds back the shortest
// tail that could still grow into a secret, so every occurrence is masked wherever the chunks split.
// Overlapping occurrences (one secret inside or across another) are masked as one run.

/** The text that replaces a secret in the logs. */
export const MASK = '******';

/**
 * The patterns Drone masks for a list of secret values: each value split on `\n`, each part
 * trimmed, parts shorter than 2 characters dropped (they would mask ordinary text everywhere).
 */
export function maskPatterns(values: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    for (const part of value.split('\n')) {
      const p = part.trim();
      if (p.length >= 2) out.add(p);
    }
  }
  // Longest first keeps the tail check cheap to reason about; order does not change the result.
  return [...out].sort((a, b) => b.length - a.length);
}

interface Span {
  start: number;
  end: number;
  /** Already replaced by a mask in earlier output; emits nothing more. */
  done: boolean;
}

/** Masks one complete text (no streaming state). */
export function maskText(text: string, patterns: readonly string[]): string {
  if (patterns.length === 0) return text;
  return render(text, spans(text, patterns, 0), text.length);
}

/** Streaming masker: feed chunks in, get masked text out; `end()` releases what is held back. */
export class Masker {
  private readonly patterns: readonly string[];
  private readonly hold: number;
  private pending = '';
  /** How many leading chars of `pending` belong to a mask that was already emitted. */
  private covered = 0;

  constructor(values: Iterable<string>) {
    this.patterns = maskPatterns(values);
    this.hold = this.patterns.reduce((m, p) => Math.max(m, p.length - 1), 0);
  }

  /** True when there is nothing to mask (output passes through unchanged). */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Masks a chunk; returns the text that is safe to emit now (possibly shorter, possibly empty). */
  write(chunk: string): string {
    if (this.patterns.length === 0) return chunk;
    const buf = this.pending + chunk;
    const cut = buf.length - this.keepLength(buf);
    const found = spans(buf, this.patterns, this.covered);
    let out = '';
    let pos = 0;
    this.covered = 0;
    for (const s of found) {
      // The already-masked run (always at 0) is carried over even when nothing is emitted.
      if (s.start >= cut && !s.done) break;
      out += buf.slice(pos, s.start);
      if (!s.done) out += MASK;
      if (s.end > cut) {
        // The run continues into the held tail: its rest is masked already, remember that.
        this.covered = s.end - cut;
        pos = cut;
        break;
      }
      pos = s.end;
    }
    out += buf.slice(pos, cut);
    this.pending = buf.slice(cut);
    return out;
  }

  /** Releases (masked) whatever is still held back. */
  end(): string {
    const buf = this.pending;
    const covered = this.covered;
    this.pending = '';
    this.covered = 0;
    if (buf.length === 0) return '';
    return render(buf, spans(buf, this.patterns, covered), buf.length);
  }

  /** Length of the longest tail of `buf` that is a proper prefix of some pattern. */
  private keepLength(buf: string): number {
    for (let k = Math.min(this.hold, buf.length); k > 0; k--) {
      const tail = buf.slice(buf.length - k);
      for (const p of this.patterns) {
        if (p.length > k && p.startsWith(tail)) return k;
      }
    }
    return 0;
  }
}

/** Every occurrence of every pattern, overlapping ones merged; a leading `covered` run is `done`. */
function spans(text: string, patterns: readonly string[], covered: number): Span[] {
  const raw: Span[] = [];
  if (covered > 0) raw.push({ start: 0, end: covered, done: true });
  for (const p of patterns) {
    let i = text.indexOf(p);
    while (i !== -1) {
      raw.push({ start: i, end: i + p.length, done: false });
      i = text.indexOf(p, i + 1);
    }
  }
  raw.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of raw) {
    const last = merged[merged.length - 1];
    // Touching occurrences stay separate (`secretsecret` → two masks, as Drone prints it);
    // overlapping ones become one run so no character of either leaks.
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
      // A run that began in earlier output already printed its mask.
      last.done ||= s.done;
    } else {
      merged.push({ ...s });
    }
  }
  return merged;
}

function render(text: string, found: Span[], limit: number): string {
  let out = '';
  let pos = 0;
  for (const s of found) {
    if (s.start >= limit) break;
    out += text.slice(pos, s.start);
    if (!s.done) out += MASK;
    pos = Math.min(s.end, limit);
  }
  return out + text.slice(pos, limit);
}
