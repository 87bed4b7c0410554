// Source positions: offsets in a document's text → 1-based line and column in the file, and field
// paths (`steps[2].volumes[0].name`) → the node they name. Line tables are built only when a
// diagnostic needs one.
import type { YNode } from './node.js';
import { type Budget, lookup } from './walk.js';

export interface Position {
  line: number;
  col: number;
}

/** One document of a file, able to turn its offsets into file positions. */
export class SourceDoc {
  private starts: number[] | undefined;

  constructor(
    readonly text: string,
    /** 1-based file line of the document's first line. */
    readonly firstLine: number,
  ) {}

  /** The file position of an offset in this document (the document's start for -1). */
  position(offset: number): Position {
    if (offset < 0) return { line: this.firstLine, col: 1 };
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.firstLine + lo, col: offset - starts[lo]! + 1 };
  }

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const s = [0];
    const t = this.text;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) s.push(i + 1);
    this.starts = s;
    return s;
  }
}

/** Splits `a.b[2].c` into `['a', 'b', 2, 'c']`. Keys with dots or brackets are not expected. */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  }
  return out;
}

/**
 * The node a field path names, or the deepest existing node on the way (a missing `image` points at
 * its step). `key` is the mapping key of the last step when the path ends at an existing field.
 */
export function findNode(root: YNode, path: string, budget: Budget): { node: YNode; key: YNode | undefined } {
  let node = root;
  let key: YNode | undefined;
  for (const seg of parsePath(path)) {
    if (typeof seg === 'number') {
      if (node.kind !== 'seq' || seg >= node.items.length) break;
      node = node.items[seg]!;
      key = undefined;
    } else {
      if (node.kind !== 'map') break;
      const hit = lookup(node, seg, budget);
      if (!hit) break;
      node = hit.value;
      key = hit.key;
    }
  }
  return { node, key };
}
