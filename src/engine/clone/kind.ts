// Which of drone/git's three clone scripts a ref calls for (drone-reference.md §4.2).

export type CloneKind = 'commit' | 'pull_request' | 'tag';

const PULL_PREFIXES = ['refs/pull/', 'refs/pull-request/', 'refs/merge-requests/'];

/** The clone kind of a ref: tags and pull/merge-request refs are special, anything else is a commit. */
export function cloneKind(ref: string): CloneKind {
  if (ref.startsWith('refs/tags/')) return 'tag';
  if (PULL_PREFIXES.some((p) => ref.startsWith(p))) return 'pull_request';
  return 'commit';
}
