// Reading mappings the way go-yaml v2 decodes them: entries in order, a `<<` merge applied where it
// stands (a list of merges from last to first, so the first wins), later keys overriding earlier
// ones. Aliases can make a small file expand enormously, so every visit is paid from a budget.
import { keyText, type YMap, type YNode } from './node.js';
import { resolveScalar } from './scalar.js';

/** Thrown when alias expansion exceeds the budget (a "billion laughs" file). */
export class ExpansionError extends Error {
  constructor() {
    super('the document expands to too many values through aliases');
  }
}

/** How many nodes a document may still expand to. */
export interface Budget {
  left: number;
}

/** Default expansion budget of one document (a real pipeline uses a few thousand). */
export const DEFAULT_BUDGET = 1_000_000;

/** Visits one mapping entry: the key's text, the value, the key node (for positions). */
export type EntryVisitor = (key: string, value: YNode, keyNode: YNode) => void;

/** Called for a `<<` whose value is not a mapping or a list of mappings. */
export type BadMerge = (value: YNode) => void;

/** Walks a mapping's entries in go-yaml v2 order, expanding merge keys. */
export function walkMapping(map: YMap, visit: EntryVisitor, badMerge: BadMerge, budget: Budget): void {
  for (const e of map.entries) {
    if (--budget.left < 0) throw new ExpansionError();
    if (!e.merge) {
      visit(keyText(e.key), e.value, e.key);
      continue;
    }
    const v = e.value;
    if (v.kind === 'map') {
      walkMapping(v, visit, badMerge, budget);
    } else if (v.kind === 'seq') {
      for (let i = v.items.length - 1; i >= 0; i--) {
        const item = v.items[i]!;
        if (item.kind === 'map') walkMapping(item, visit, badMerge, budget);
        else badMerge(item);
      }
    } else {
      badMerge(v);
    }
  }
}

const ignoreBadMerge: BadMerge = () => {};

/** Finds the value go-yaml v2 would read for `key` (the last one, merges included). */
export function lookup(map: YMap, key: string, budget: Budget): { value: YNode; key: YNode } | undefined {
  let found: { value: YNode; key: YNode } | undefined;
  walkMapping(
    map,
    (k, value, keyNode) => {
      if (k === key) found = { value, key: keyNode };
    },
    ignoreBadMerge,
    budget,
  );
  return found;
}

/** Converts a node to plain data as go-yaml v2 decodes into `interface{}` (YAML 1.1 scalars). */
export function toPlain(n: YNode, budget: Budget): unknown {
  if (--budget.left < 0) throw new ExpansionError();
  if (n.kind === 'scalar') return resolveScalar(n);
  if (n.kind === 'seq') return n.items.map((item) => toPlain(item, budget));
  const out: Record<string, unknown> = {};
  walkMapping(
    n,
    (k, v) => {
      const value = toPlain(v, budget);
      // A literal `__proto__` key must stay an ordinary property.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      else out[k] = value;
    },
    ignoreBadMerge,
    budget,
  );
  return out;
}
