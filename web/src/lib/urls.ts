// The UI's own URLs, Drone's scheme: `/{owner}/{name}` lists builds and `/{owner}/{name}/{number}`
// is a build (the link SCM statuses carry), `…/{number}/{stage}/{step}` selects a step's log and
// `#L12` a line of it.

const enc = encodeURIComponent;

export const urls = {
  home: () => '/',
  login: (next?: string) => (next && next !== '/' ? `/signin?next=${enc(next)}` : '/signin'),
  repo: (slug: string) => `/${slug}`,
  settings: (slug: string) => `/${slug}/settings`,
  secrets: (slug: string) => `/${slug}/secrets`,
  crons: (slug: string) => `/${slug}/cron`,
  build: (slug: string, number: number) => `/${slug}/${number}`,
  stage: (slug: string, number: number, stage: number) => `/${slug}/${number}/${stage}`,
  step: (slug: string, number: number, stage: number, step: number) => `/${slug}/${number}/${stage}/${step}`,
  orgSecrets: (namespace: string) => `/orgs/${enc(namespace)}/secrets`,
  queue: () => '/admin/queue',
  runners: () => '/admin/runners',
  users: () => '/admin/users',
};

/** The line a `#L12` hash selects (1-based), or undefined. */
export function lineFromHash(hash: string): number | undefined {
  const m = /^#L(\d+)$/.exec(hash);
  return m ? Number(m[1]) : undefined;
}

/** A `next` URL after sign-in: only a path on this site, never another origin. */
export function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
