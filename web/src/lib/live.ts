// Applying live build events (drone-reference.md §5.11: each event is a Repo JSON with `build`,
// that build's stages and their steps) to what a page shows.
import type { Build, Repo } from './types.js';

/** A Repo from an event's JSON data, or undefined when it is not one. */
export function parseRepoEvent(data: string): Repo | undefined {
  try {
    const v = JSON.parse(data) as Partial<Repo>;
    if (typeof v === 'object' && v !== null && typeof v.slug === 'string') return v as Repo;
  } catch {
    // not JSON
  }
  return undefined;
}

/** The build list with `build` added or replaced (by number), newest first, at most `limit` long. */
export function upsertBuild(list: readonly Build[], build: Build, limit = Number.POSITIVE_INFINITY): Build[] {
  const i = list.findIndex((b) => b.number === build.number);
  if (i >= 0) {
    // An older version arriving late (events from two replicas) must not undo a newer one.
    if ((list[i]!.version ?? 0) > (build.version ?? 0)) return [...list];
    const next = [...list];
    next[i] = { ...list[i], ...build };
    return next;
  }
  return [...list, build].sort((a, b) => b.number - a.number).slice(0, limit);
}

/** The repo list with the repo of `event` given its newest build. */
export function applyRepoEvent(repos: readonly Repo[], event: Repo): Repo[] {
  return repos.map((r) => {
    if (r.slug !== event.slug || !event.build) return r;
    if (r.build && r.build.number > event.build.number) return r;
    if (r.build && r.build.number === event.build.number && r.build.version > event.build.version) return r;
    return { ...r, build: event.build };
  });
}

/** True when a repo matches a search: every word appears in its slug (case-insensitive). */
export function matchesSearch(repo: Pick<Repo, 'slug'>, search: string): boolean {
  const slug = repo.slug.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => slug.includes(w));
}
