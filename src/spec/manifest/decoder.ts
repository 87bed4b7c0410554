// The state of decoding one document: where diagnostics go, how a node becomes a position, the
// alias-expansion budget, and the walk over a mapping's fields that reports duplicate and unknown keys.
import type { Diagnostic, Severity } from '../diagnostic.js';
import { keyText, type YMap, type YNode } from '../yaml/node.js';
import type { SourceDoc } from '../yaml/position.js';
import { scalarTypeName } from '../yaml/scalar.js';
import { type Budget, walkMapping } from '../yaml/walk.js';

/** `a` + `b` → `a.b` (or `b` at the document root). */
export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `a` + 2 → `a[2]`. */
export function at(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** "a list", "a mapping", "a string", … — what a node is, for messages. */
export function describe(n: YNode): string {
  if (n.kind === 'seq') return 'a list';
  if (n.kind === 'map') return 'a mapping';
  return scalarTypeName(n);
}

/** Decodes one document: reports diagnostics at nodes and walks mappings in go-yaml v2 order. */
export class Decoder {
  private readonly seenKeys = new Set<YNode>();
  private readonly checkedMaps = new Set<YMap>();

  constructor(
    readonly src: SourceDoc,
    /** The document's index in the file. */
    readonly doc: number,
    readonly diagnostics: Diagnostic[],
    readonly budget: Budget,
  ) {}

  /** Records a problem at a node (or at the document start when there is none). */
  report(severity: Severity, rule: string, field: string, node: YNode | undefined, text: string): void {
    const { line, col } = this.src.position(node ? node.start : -1);
    const message = field === '' ? text : `${field}: ${text}`;
    this.diagnostics.push({ severity, rule, message, field, doc: this.doc, line, col });
  }

  /** Records an error. */
  error(rule: string, field: string, node: YNode | undefined, text: string): void {
    this.report('error', rule, field, node, text);
  }

  /** Records a warning. */
  warn(rule: string, field: string, node: YNode | undefined, text: string): void {
    this.report('warning', rule, field, node, text);
  }

  /** A value of the wrong shape: `steps[0].commands: expected a list of strings, got a mapping`. */
  typeError(field: string, node: YNode, expected: string): void {
    this.error('invalid-type', field, node, `expected ${expected}, got ${describe(node)}`);
  }

  /**
   * An unknown key: a warning, once per key node (anchored blocks are read many times). A key whose
   * value carries an anchor is a holder for YAML anchors (`x: &defaults …`) and is not reported.
   */
  unknown(path: string, key: string, keyNode: YNode, value: YNode): void {
    if (value.anchor !== undefined || this.seenKeys.has(keyNode)) return;
    this.seenKeys.add(keyNode);
    this.warn('unknown-field', join(path, key), keyNode, 'unknown field');
  }

  /** Walks a mapping's fields in go-yaml v2 order (merges expanded), reporting duplicate keys. */
  fields(map: YMap, path: string, visit: (key: string, value: YNode, keyNode: YNode) => void): void {
    if (map.hasDuplicates && !this.checkedMaps.has(map)) {
      this.checkedMaps.add(map);
      const seen = new Set<string>();
      for (const e of map.entries) {
        if (e.merge) continue;
        const k = keyText(e.key);
        if (seen.has(k))
          this.warn('duplicate-key', join(path, k), e.key, 'duplicate key (the last value is used)');
        seen.add(k);
      }
    }
    walkMapping(map, visit, (bad) => this.badMerge(path, bad), this.budget);
  }

  private badMerge(path: string, node: YNode): void {
    this.error(
      'invalid-merge',
      join(path, '<<'),
      node,
      `a merge key needs a mapping or a list of mappings, got ${describe(node)}`,
    );
  }
}
