// The YAML tree the manifest decoder reads: scalars keep their source text (go-yaml v2 gives string
// fields the text as written, so `version: 1.10` stays "1.10"), mappings keep their entries in
// order with merge keys unexpanded (go-yaml v2 applies `<<` where it appears), and every node keeps
// its offset so that a diagnostic can point at it. Aliases share the anchored node.

export interface YScalar {
  readonly kind: 'scalar';
  /** The decoded text (escapes and folding applied). */
  value: string;
  /** Plain (unquoted, untagged): only plain scalars resolve to null, booleans and numbers. */
  plain: boolean;
  /** Offset in the document text; -1 when unknown. */
  start: number;
  anchor: string | undefined;
}

export interface YSeq {
  readonly kind: 'seq';
  items: YNode[];
  start: number;
  anchor: string | undefined;
}

export interface YEntry {
  key: YNode;
  value: YNode;
  /** A plain `<<` key: the value's entries are merged in here. */
  merge: boolean;
}

export interface YMap {
  readonly kind: 'map';
  entries: YEntry[];
  start: number;
  anchor: string | undefined;
  /** True when two literal keys are equal (checked once when the mapping is composed). */
  hasDuplicates: boolean;
}

export type YNode = YScalar | YSeq | YMap;

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** True for a plain null (`~`, `null`, nothing at all): go-yaml v2 leaves the target at its zero value. */
export function isNull(n: YNode): boolean {
  return n.kind === 'scalar' && n.plain && (n.value === '' || (n.value.length <= 4 && NULLS.has(n.value)));
}

/** The text of a mapping key (complex keys, which Drone never uses, read as `?`). */
export function keyText(n: YNode): string {
  return n.kind === 'scalar' ? n.value : '?';
}
