// ANSI escape sequences of a log line → styled text spans, rendered by React as plain text
// nodes (never as HTML, so a log can never inject markup). Colours are CSS values: the 16 basic
// colours are theme variables (`var(--ansi-red)`), 256-colour and true colours are `rgb()`.
import Anser from 'anser';

/** A run of text with one style. */
export interface Span {
  text: string;
  /** CSS colour of the text. */
  fg?: string;
  /** CSS colour of the background. */
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
  /** An http(s) URL the text is. */
  href?: string;
}

const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** The CSS colour of xterm palette entry `n` (0–255). */
export function paletteColor(n: number): string {
  if (n < 8) return `var(--ansi-${BASIC[n]})`;
  if (n < 16) return `var(--ansi-bright-${BASIC[n - 8]})`;
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g}, ${g}, ${g})`;
}

function color(cls: string | null, truecolor: string | null): string | undefined {
  if (!cls) return undefined;
  if (cls === 'ansi-truecolor') return truecolor ? `rgb(${truecolor})` : undefined;
  const palette = /^ansi-palette-(\d+)$/.exec(cls);
  if (palette) return paletteColor(Math.min(255, Number(palette[1])));
  return `var(--${cls})`;
}

/**
 * What a terminal would show of one line: the trailing newline dropped and, for progress bars
 * redrawn with `\r`, only the text after the last carriage return.
 */
export function visibleText(out: string): string {
  let s = out.replace(/\r?\n$/, '');
  if (s.includes('\r')) {
    const parts = s.split('\r');
    s = [...parts].reverse().find((p) => p !== '') ?? '';
  }
  return s;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`\x1b]+[^\s<>"'`\x1b.,;:!?)\]}]/g;

/** Splits text into plain parts and http(s) links. */
export function splitLinks(text: string): { text: string; href?: string }[] {
  const out: { text: string; href?: string }[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_RE)) {
    const i = m.index ?? 0;
    if (i > at) out.push({ text: text.slice(at, i) });
    out.push({ text: m[0], href: m[0] });
    at = i + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** The styled spans of one log line (`out` as the runner sent it). */
export function ansiSpans(out: string): Span[] {
  const text = visibleText(out);
  if (text === '') return [];
  // Fast path: most lines have no escape sequences.
  const entries = text.includes('\x1b')
    ? Anser.ansiToJson(text, { use_classes: true, remove_empty: true })
    : [{ content: text, fg: null, bg: null, fg_truecolor: null, bg_truecolor: null, decorations: [] }];
  const spans: Span[] = [];
  for (const e of entries) {
    const raw = e as unknown as {
      content: string;
      fg: string | null;
      bg: string | null;
      fg_truecolor: string | null;
      bg_truecolor: string | null;
      decorations: string[];
      isInverted?: boolean;
    };
    if (raw.content === '') continue;
    let fg = color(raw.fg, raw.fg_truecolor);
    let bg = color(raw.bg, raw.bg_truecolor);
    const deco = new Set(raw.decorations);
    if (raw.isInverted || deco.has('reverse')) {
      [fg, bg] = [bg ?? 'var(--log-bg)', fg ?? 'var(--log-fg)'];
    }
    if (deco.has('hidden')) fg = 'transparent';
    const style: Omit<Span, 'text'> = {
      ...(fg ? { fg } : {}),
      ...(bg ? { bg } : {}),
      ...(deco.has('bold') ? { bold: true } : {}),
      ...(deco.has('dim') ? { dim: true } : {}),
      ...(deco.has('italic') ? { italic: true } : {}),
      ...(deco.has('underline') ? { underline: true } : {}),
      ...(deco.has('strikethrough') ? { strike: true } : {}),
    };
    for (const part of splitLinks(raw.content)) spans.push({ ...style, ...part });
  }
  return spans;
}

/** The text of a line without escape sequences (for search and copying). */
export function plainText(out: string): string {
  return ansiSpans(out)
    .map((s) => s.text)
    .join('');
}
