// The repositories a user can reach on their SCM, with their permission on each (Drone's
// RepositoryService.List over go-scm): GitHub `GET /user/repos`, Gitea `GET /api/v1/user/repos`,
// GitLab `GET /api/v4/projects?membership=true`, every page of them.
import { apiUrl, type HostedScm, nextPageUrl, type ScmApi, ScmApiError, scmCall } from './api-call.js';
import { arr, bool, int, obj, str } from './json.js';

/** A repository as the SCM describes it, in Hangar's terms. */
export interface RemoteRepo {
  uid: string;
  namespace: string;
  name: string;
  slug: string;
  git_http_url: string;
  git_ssh_url: string;
  link: string;
  default_branch: string;
  private: boolean;
  visibility: 'public' | 'private' | 'internal';
  archived: boolean;
  perm: { read: boolean; write: boolean; admin: boolean };
}

/** Page sizes: GitHub and GitLab serve up to 100, Gitea's default maximum is 50. */
const PER_PAGE: Record<HostedScm, number> = { github: 100, gitea: 50, gitlab: 100 };

/** More pages than this is a runaway listing; the sync stops rather than act on part of it. */
const MAX_PAGES = 200;

/** The first page of the user's repositories. */
export function userReposUrl(api: Pick<ScmApi, 'provider' | 'base'>): string {
  const n = PER_PAGE[api.provider];
  switch (api.provider) {
    case 'github':
      // go-scm's query: every repository the user owns, collaborates on or sees through an org.
      return apiUrl(
        api,
        `/user/repos?visibility=all&affiliation=owner,collaborator,organization_member&per_page=${n}&page=1`,
      );
    case 'gitea':
      return apiUrl(api, `/user/repos?limit=${n}&page=1`);
    case 'gitlab':
      return apiUrl(api, `/projects?membership=true&per_page=${n}&page=1`);
  }
}

const VISIBILITIES = new Set(['public', 'private', 'internal']);

/** One repository of a listing; undefined for an entry without an id or a name. */
export function remoteRepoOf(provider: HostedScm, doc: unknown): RemoteRepo | undefined {
  const r = obj(doc);
  const uid = str(r.id);
  if (provider === 'gitlab') {
    const slug = str(r.path_with_namespace);
    const cut = slug.lastIndexOf('/');
    if (uid === '' || cut <= 0) return undefined;
    const visibility = VISIBILITIES.has(str(r.visibility))
      ? (str(r.visibility) as RemoteRepo['visibility'])
      : 'private';
    const p = obj(r.permissions);
    // GitLab access levels: 20 reporter (reads code), 30 developer (pushes), 40 maintainer, 50 owner.
    const level = Math.max(int(obj(p.project_access).access_level), int(obj(p.group_access).access_level));
    return {
      uid,
      namespace: slug.slice(0, cut),
      name: slug.slice(cut + 1),
      slug,
      git_http_url: str(r.http_url_to_repo),
      git_ssh_url: str(r.ssh_url_to_repo),
      link: str(r.web_url),
      default_branch: str(r.default_branch) || 'main',
      private: visibility !== 'public',
      visibility,
      archived: bool(r.archived),
      perm: { read: level >= 20 || visibility !== 'private', write: level >= 30, admin: level >= 40 },
    };
  }
  const owner = obj(r.owner);
  const namespace = str(owner.login) || str(owner.username);
  const name = str(r.name);
  if (uid === '' || namespace === '' || name === '') return undefined;
  const priv = bool(r.private);
  let visibility: RemoteRepo['visibility'] = priv ? 'private' : 'public';
  if (provider === 'github' && VISIBILITIES.has(str(r.visibility))) {
    visibility = str(r.visibility) as RemoteRepo['visibility'];
  }
  if (provider === 'gitea' && bool(r.internal)) visibility = 'internal';
  // A listing without permissions (never for a signed-in user) still shows the user can read it.
  const p = r.permissions === undefined ? { pull: true } : obj(r.permissions);
  return {
    uid,
    namespace,
    name,
    slug: str(r.full_name) || `${namespace}/${name}`,
    git_http_url: str(r.clone_url),
    git_ssh_url: str(r.ssh_url),
    link: str(r.html_url),
    default_branch: str(r.default_branch) || 'main',
    private: priv || visibility !== 'public',
    visibility,
    archived: bool(r.archived),
    perm: {
      read: bool(p.pull) || bool(p.push) || bool(p.admin),
      write: bool(p.push) || bool(p.admin),
      admin: bool(p.admin),
    },
  };
}

/** Every repository the token's user can reach, following the SCM's pages. */
export async function listRemoteRepos(api: ScmApi): Promise<RemoteRepo[]> {
  const repos: RemoteRepo[] = [];
  const seen = new Set<string>();
  let url: string | undefined = userReposUrl(api);
  for (let page = 1; url !== undefined; page++) {
    if (page > MAX_PAGES) {
      throw new ScmApiError(
        502,
        `cannot list your repositories: ${api.provider} has more than ${MAX_PAGES} pages of them`,
      );
    }
    const answer = await scmCall(api, 'GET', url, 'list your repositories');
    if (!Array.isArray(answer.json)) {
      throw new ScmApiError(502, `cannot list your repositories: ${api.provider} did not answer with a list`);
    }
    const items = arr(answer.json);
    for (const item of items) {
      const repo = remoteRepoOf(api.provider, item);
      if (!repo || seen.has(repo.uid)) continue;
      seen.add(repo.uid);
      repos.push(repo);
    }
    url = items.length === 0 ? undefined : nextPageUrl(answer, items.length, PER_PAGE[api.provider]);
  }
  return repos;
}
