// `when:` (steps) and `trigger:` (pipelines): each key is a string (one include), a list (includes)
// or `{include, exclude}` (drone-reference.md §3.5). A null key is as if it were absent.
import type { Condition, Conditions } from './types.js';
import { isNull, type YNode } from '../yaml/node.js';
import { type Decoder, join } from './decoder.js';
import { strList } from './values.js';

const KEYS = new Set<keyof Conditions>([
  'branch',
  'event',
  'ref',
  'repo',
  'status',
  'target',
  'instance',
  'cron',
  'action',
  'paths',
]);

/** Decodes a conditions block into `into` (keys given twice, e.g. through a merge, are combined). */
export function decodeConditions(d: Decoder, n: YNode, path: string, into: Conditions): Conditions {
  if (isNull(n)) return {};
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping of conditions (branch, event, ref, …)');
    return into;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (!KEYS.has(k as keyof Conditions)) {
      d.unknown(path, k, keyNode, v);
      return;
    }
    const c = decodeCondition(d, v, join(path, k));
    if (c) into[k as keyof Conditions] = c;
    else delete into[k as keyof Conditions];
  });
  return into;
}

/** One condition: `master`, `[master, dev]` or `{include: [...], exclude: [...]}`. */
export function decodeCondition(d: Decoder, n: YNode, path: string): Condition | undefined {
  if (isNull(n)) return undefined;
  if (n.kind !== 'map') return { include: strList(d, n, path), exclude: [] };
  const c: Condition = { include: [], exclude: [] };
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'include') c.include = strList(d, v, join(path, k));
    else if (k === 'exclude') c.exclude = strList(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return c;
}
