// Builds the YAML tree of one document from js-yaml's event stream. The event parser is the fastest
// YAML reader at hand (faster than js-yaml's own loadAll) and gives every node its offset, so
// positions cost nothing extra; the tree is ours so that scalars keep their text and merge keys stay
// in place for go-yaml v2's decoding order.
import { EVENT_ID, type Event, getScalarValue, parseEvents, SCALAR_STYLE } from 'js-yaml';
import { keyText, type YEntry, type YMap, type YNode, type YScalar, type YSeq } from './node.js';

/** A YAML syntax problem: a message and the offset (in the document text) where it was found. */
export interface YamlError {
  message: string;
  offset: number;
}

export interface Composed {
  /** The document's root node; null for an empty document (or after a syntax error). */
  root: YNode | null;
  error: YamlError | undefined;
}

/** Collections nested deeper than this are refused (deep nesting is an attack, never a pipeline). */
export const MAX_DEPTH = 100;

interface Frame {
  node: YSeq | YMap;
  key: YNode | null;
}

// Tags that make a scalar a string whatever it looks like.
const STRING_TAGS = new Set(['!', '!!str', '!<tag:yaml.org,2002:str>', '!!binary']);

/** Parses one YAML document (no `---` separators: the caller has split the file). */
export function composeDocument(text: string): Composed {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_DEPTH });
  } catch (e) {
    return { root: null, error: toYamlError(e) };
  }
  let docs = 0;
  for (const e of events) if (e.type === EVENT_ID.DOCUMENT) docs++;
  if (docs > 1) return { root: null, error: { message: 'more than one YAML document', offset: 0 } };
  if (docs === 0) return { root: null, error: undefined };
  return build(events, text, 0, 0).doc;
}

/**
 * Parses all documents of a split file with one parser call (the parser's per-call cost is high
 * next to a small document). Each document is given its own `---` line, so the parser sees exactly
 * Drone's documents. Undefined when the file has a YAML error or the parser saw other boundaries:
 * the caller then parses document by document, which places each error in its own document.
 */
export function composeDocuments(texts: readonly string[]): Composed[] | undefined {
  const joined = texts.map((t) => `---\n${t}`).join('');
  let events: Event[];
  try {
    events = parseEvents(joined, { maxDepth: MAX_DEPTH });
  } catch {
    return undefined;
  }
  const out: Composed[] = [];
  let i = 0;
  let base = 0;
  for (const t of texts) {
    base += 4;
    if (events[i]?.type !== EVENT_ID.DOCUMENT) return undefined;
    const r = build(events, joined, i, base);
    if (r.doc.error) return undefined;
    out.push(r.doc);
    i = r.next;
    base += t.length;
  }
  return i === events.length ? out : undefined;
}

/**
 * Builds the tree of the document whose DOCUMENT event is at `from`; `base` is the offset of the
 * document's text in `text` (node offsets are relative to the document).
 */
function build(events: Event[], text: string, from: number, base: number): { doc: Composed; next: number } {
  const anchors = new Map<string, YNode>();
  const stack: Frame[] = [];
  let root: YNode | null = null;

  const attach = (node: YNode): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = node;
      return;
    }
    if (top.node.kind === 'seq') {
      if (node.start < 0) node.start = top.node.start;
      top.node.items.push(node);
    } else if (top.key === null) {
      top.key = node;
    } else {
      const key = top.key;
      if (node.start < 0) node.start = key.start;
      const merge = key.kind === 'scalar' && key.plain && key.value === '<<';
      top.node.entries.push({ key, value: node, merge });
      top.key = null;
    }
  };

  for (let i = from + 1; i < events.length; i++) {
    const e = events[i]!;
    switch (e.type) {
      case EVENT_ID.SCALAR: {
        let plain = e.style === SCALAR_STYLE.PLAIN;
        if (e.tagStart >= 0 && STRING_TAGS.has(text.slice(e.tagStart, e.tagEnd))) plain = false;
        let start = e.valueStart < 0 ? -1 : e.valueStart - base;
        if (start > 0 && (e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED)) {
          start--;
        }
        const node: YScalar = {
          kind: 'scalar',
          value:
            e.valueStart < 0 ? '' : e.fast ? text.slice(e.valueStart, e.valueEnd) : getScalarValue(text, e),
          plain,
          start,
          anchor: e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined,
        };
        if (node.anchor !== undefined) anchors.set(node.anchor, node);
        attach(node);
        break;
      }
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const anchor = e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined;
        const start = e.start - base;
        const node: YSeq | YMap =
          e.type === EVENT_ID.SEQUENCE
            ? { kind: 'seq', items: [], start, anchor }
            : { kind: 'map', entries: [], start, anchor, hasDuplicates: false };
        stack.push({ node, key: null });
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(e.anchorStart, e.anchorEnd);
        const target = anchors.get(name);
        if (!target) {
          const error = { message: `unknown anchor "${name}" referenced`, offset: e.anchorStart - 1 - base };
          return { doc: { root: null, error }, next: events.length };
        }
        attach(target);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) return { doc: { root, error: undefined }, next: i + 1 };
        const node = frame.node;
        if (node.kind === 'map') {
          if (frame.key !== null)
            node.entries.push({ key: frame.key, value: emptyAt(frame.key.start), merge: false });
          node.hasDuplicates = hasDuplicateKeys(node.entries);
        }
        // Registered only now, so an alias inside its own anchor is unknown (no cyclic trees).
        if (node.anchor !== undefined) anchors.set(node.anchor, node);
        attach(node);
        break;
      }
      case EVENT_ID.DOCUMENT:
        return { doc: { root, error: undefined }, next: i };
    }
  }
  return { doc: { root, error: undefined }, next: events.length };
}

function emptyAt(start: number): YScalar {
  return { kind: 'scalar', value: '', plain: true, start, anchor: undefined };
}

function hasDuplicateKeys(entries: YEntry[]): boolean {
  if (entries.length < 2) return false;
  if (entries.length < 9) {
    for (let i = 1; i < entries.length; i++) {
      const k = entries[i]!;
      if (k.merge) continue;
      for (let j = 0; j < i; j++) {
        const o = entries[j]!;
        if (!o.merge && keyText(o.key) === keyText(k.key)) return true;
      }
    }
    return false;
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.merge) continue;
    const k = keyText(e.key);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function toYamlError(e: unknown): YamlError {
  if (e && typeof e === 'object' && 'reason' in e) {
    const reason = String((e as { reason: unknown }).reason);
    const mark = (e as { mark?: { position?: number } }).mark;
    return { message: reason, offset: typeof mark?.position === 'number' ? mark.position : 0 };
  }
  // js-yaml only throws YAMLException; anything else (a stack overflow on hostile input) is reported
  // without its internals.
  return { message: e instanceof RangeError ? 'input is nested too deeply' : 'unreadable input', offset: 0 };
}
