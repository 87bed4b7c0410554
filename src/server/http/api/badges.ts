// Badges (drone handler/api/badge and handler/api/ccmenu): `GET /api/badges/{o}/{n}/status.svg` is
// the status of the latest build of `?ref=`, `?branch=` or the default branch as an SVG image, and
// `GET /api/badges/{o}/{n}/cc.xml` the same build as a CCTray project. As in Drone, the SVG needs no
// access (READMEs of private repos show it through image proxies that send no token) and answers an
// unknown repo or ref with the grey "none" badge; cc.xml needs read access and is 404 without a build.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import { serverLink } from '../../config.js';
import type { Build, Repo } from '../../store/models.js';
import { findLatestBuild } from '../../store/queries/builds.js';
import { findRepoBySlug } from '../../store/queries/repos.js';
import type { Db } from '../../store/schema.js';
import { notFound } from './errors.js';
import { RepoParams } from './params.js';

const BadgeQuery = Type.Object({
  ref: Type.Optional(Type.String({ maxLength: 500 })),
  branch: Type.Optional(Type.String({ maxLength: 250 })),
});

/** The ref a badge shows: `branch` wins over `ref`, else the default branch (Drone's order). */
function refOf(repo: Repo, query: { ref?: string | undefined; branch?: string | undefined }): string {
  if (query.branch) return `refs/heads/${query.branch}`;
  if (query.ref) return query.ref;
  return `refs/heads/${repo.default_branch}`;
}

const colours = {
  passing: '#4c1',
  failing: '#e05d44',
  error: '#e05d44',
  started: '#dfb317',
  none: '#9f9f9f',
} as const;

type BadgeState = keyof typeof colours;

/** Which badge a build gets (Drone: pending/running/blocked ⇒ started, success ⇒ passing, error ⇒ error, else failing). */
export function badgeState(build: Pick<Build, 'status'> | undefined): BadgeState {
  if (!build) return 'none';
  switch (build.status) {
    case 'pending':
    case 'running':
    case 'blocked':
    case 'waiting_on_dependencies':
      return 'started';
    case 'success':
      return 'passing';
    case 'error':
      return 'error';
    default:
      return 'failing';
  }
}

/** A shields-style "build | state" SVG badge. */
export function badgeSvg(state: BadgeState): string {
  // Widths for DejaVu Sans 11px, as Drone's fixed badges use.
  const left = 37;
  const right = { passing: 51, failing: 47, error: 41, started: 53, none: 43 }[state];
  const w = left + right;
  const text = (x: number, s: string) =>
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3">${s}</text><text x="${x}" y="14">${s}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20">` +
    `<title>build: ${state}</title>` +
    '<linearGradient id="b" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>' +
    `<mask id="a"><rect width="${w}" height="20" rx="3" fill="#fff"/></mask>` +
    `<g mask="url(#a)"><path fill="#555" d="M0 0h${left}v20H0z"/><path fill="${colours[state]}" d="M${left} 0h${right}v20H${left}z"/><path fill="url(#b)" d="M0 0h${w}v20H0z"/></g>` +
    '<g fill="#fff" text-anchor="middle" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">' +
    text(left / 2 + 1, 'build') +
    text(left + right / 2, state) +
    '</g></svg>'
  );
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** The CCTray document of a repo's build (drone core/ccmenu). */
export function ccXml(repo: Pick<Repo, 'slug'>, build: Build, link: string): string {
  const busy = build.status === 'pending' || build.status === 'running' || build.status === 'blocked';
  let status = 'Unknown';
  if (build.status === 'error' || build.status === 'killed' || build.status === 'declined')
    status = 'Exception';
  else if (build.status === 'success') status = 'Success';
  else if (build.status === 'failure') status = 'Failure';
  const attrs: Array<[string, string]> = [
    ['name', repo.slug],
    ['activity', busy ? 'Building' : 'Sleeping'],
    ['lastBuildStatus', status],
    ['lastBuildLabel', busy ? 'Unknown' : String(build.number)],
    ['lastBuildTime', busy ? '' : new Date(build.started * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')],
    ['webUrl', link],
  ];
  const a = attrs.map(([k, v]) => `${k}="${xmlEscape(v)}"`).join(' ');
  return `<Projects><Project ${a}></Project></Projects>`;
}

async function latestOf(db: Db, repo: Repo, query: { ref?: string; branch?: string }) {
  return findLatestBuild(db, repo.id, refOf(repo, query));
}

/** `GET /api/badges/{o}/{n}/status.svg` and `…/cc.xml`. */
export function badgeRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get(
    '/api/badges/:owner/:name/status.svg',
    { schema: { params: RepoParams, querystring: BadgeQuery } },
    async (request, reply) => {
      const { owner, name } = request.params;
      const repo = await findRepoBySlug(db, `${owner}/${name}`);
      const build = repo ? await latestOf(db, repo, request.query) : undefined;
      // Small and always fresh: badges must not be cached stale by proxies.
      reply
        .header('access-control-allow-origin', '*')
        .header('cache-control', 'no-cache, no-store, max-age=0, must-revalidate, value')
        .header('expires', 'Thu, 01 Jan 1970 00:00:00 GMT')
        .header('last-modified', ctx.clock.now().toUTCString())
        .type('image/svg+xml');
      return badgeSvg(badgeState(build));
    },
  );

  app.get(
    '/api/badges/:owner/:name/cc.xml',
    { schema: { params: RepoParams, querystring: BadgeQuery } },
    async (request, reply) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      const build = await latestOf(db, repo, request.query);
      if (!build) throw notFound('Build not found');
      const link = `${serverLink(ctx.config)}/${repo.slug}/${build.number}`;
      reply.type('application/xml');
      return ccXml(repo, build, link);
    },
  );
}
