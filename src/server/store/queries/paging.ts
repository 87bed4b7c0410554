// Drone's paging parameters: `page` from 1, `per_page` up to 100, 25 by default.

/** A page request, as the REST API receives it. */
export interface Page {
  page?: number;
  perPage?: number;
}

/** LIMIT/OFFSET for a page request, clamped to Drone's bounds. */
export function pageBounds(page: Page): { limit: number; offset: number } {
  const perPage = clamp(page.perPage ?? 25, 1, 100);
  const number = clamp(page.page ?? 1, 1, Number.MAX_SAFE_INTEGER);
  return { limit: perPage, offset: (number - 1) * perPage };
}

function clamp(n: number, lo: number, hi: number): number {
  if (!Number.isFinite(n)) return lo;
  return Math.min(hi, Math.max(lo, Math.trunc(n)));
}
