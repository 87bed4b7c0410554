// Commit details from the GitHub, Gitea and GitLab APIs (Drone's CommitService over go-scm's
// Git.FindCommit): the message a payload lacks (drone-reference.md §5.4), the head of a branch for
// cron jobs and custom builds. A lookup that fails is "unknown" (undefined), never an error.
import type { Commit } from './git.js';
import type { ContentProvider, HttpConfigOptions } from './config-http.js';
import { type CommitSource, localCommits, repoPath } from './content.js';
import type { Repo } from '../store/models.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const seconds = (date: string): number => {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};
const trimBase = (url: string) => url.replace(/\/+$/, '');

function isProvider(scm: string): scm is ContentProvider {
  return scm === 'github' || scm === 'gitea' || scm === 'gitlab';
}

/** The URL that answers with commit `rev` (a sha, or a branch/tag name where the SCM takes one). */
export function commitUrl(provider: ContentProvider, apiUrl: string, slug: string, rev: string): string {
  const base = trimBase(apiUrl);
  const r = encodeURIComponent(rev);
  switch (provider) {
    case 'github':
      return `${base}/repos/${slug}/commits/${r}`;
    case 'gitea':
      return `${base}/api/v1/repos/${slug}/git/commits/${r}`;
    case 'gitlab':
      return `${base}/api/v4/projects/${encodeURIComponent(slug)}/repository/commits/${r}`;
  }
}

/** A commit as GitHub and Gitea (same shape) or GitLab answer it. */
export function commitOf(provider: ContentProvider, doc: unknown): Commit | undefined {
  const c = obj(doc);
  if (provider === 'gitlab') {
    const sha = str(c.id);
    if (sha === '') return undefined;
    return {
      sha,
      message: str(c.message),
      timestamp: seconds(str(c.authored_date)),
      author: { login: '', name: str(c.author_name), email: str(c.author_email), avatar: '' },
      link: str(c.web_url),
    };
  }
  const sha = str(c.sha);
  if (sha === '') return undefined;
  const inner = obj(c.commit);
  const gitAuthor = obj(inner.author);
  const user = obj(c.author);
  return {
    sha,
    message: str(inner.message),
    timestamp: seconds(str(gitAuthor.date)),
    author: {
      login: str(user.login),
      name: str(gitAuthor.name),
      email: str(gitAuthor.email),
      avatar: str(user.avatar_url),
    },
    link: str(c.html_url),
  };
}

/** Commits through the SCM's API, with the repo owner's token first, then the configured one. */
export class HttpCommitSource implements CommitSource {
  constructor(private readonly options: HttpConfigOptions) {}

  /** Whether `repo` belongs to an SCM this source has an API URL for. */
  serves(repo: Repo): boolean {
    return isProvider(repo.scm) && this.options.endpoints[repo.scm] !== undefined;
  }

  async find(repo: Repo, sha: string): Promise<Commit | undefined> {
    if (!/^[0-9a-fA-F]{4,64}$/.test(sha)) return undefined;
    return this.lookup(repo, sha);
  }

  async findRef(repo: Repo, ref: string): Promise<Commit | undefined> {
    const provider = repo.scm;
    if (!isProvider(provider)) return undefined;
    const branch = ref.replace(/^refs\/heads\//, '');
    const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
    // GitHub takes heads/B and tags/T; GitLab takes the short name.
    if (provider === 'github') return this.lookup(repo, ref.replace(/^refs\//, ''));
    if (provider === 'gitlab') return this.lookup(repo, tag ?? branch);
    // Gitea: the branch (or tag) names its head commit; then the commit itself.
    const apiUrl = this.options.endpoints.gitea as string;
    const kind = tag !== undefined ? 'tags' : 'branches';
    const name = tag ?? branch;
    const doc = obj(
      await this.get(
        repo,
        `${trimBase(apiUrl)}/api/v1/repos/${repo.slug}/${kind}/${encodeURIComponent(name)}`,
      ),
    );
    const sha = str(obj(doc.commit).id) || str(obj(doc.commit).sha);
    return sha ? this.lookup(repo, sha) : undefined;
  }

  private async lookup(repo: Repo, rev: string): Promise<Commit | undefined> {
    const provider = repo.scm;
    if (!isProvider(provider)) return undefined;
    const apiUrl = this.options.endpoints[provider];
    if (apiUrl === undefined) return undefined;
    return commitOf(provider, await this.get(repo, commitUrl(provider, apiUrl, repo.slug, rev)));
  }

  private get(repo: Repo, url: string): Promise<unknown> {
    return apiGet(this.options, repo, url);
  }
}

/** GET `url` as JSON with the repo owner's token, else the configured one; undefined on any failure. */
export async function apiGet(options: HttpConfigOptions, repo: Repo, url: string): Promise<unknown> {
  const provider = repo.scm as ContentProvider;
  const owner = (await options.ownerToken?.(repo).catch(() => '')) ?? '';
  const token = owner || options.tokens?.[provider] || '';
  const headers: Record<string, string> = {
    accept: provider === 'github' ? 'application/vnd.github+json' : 'application/json',
  };
  if (token !== '') headers.authorization = `Bearer ${token}`;
  try {
    const res = await (options.fetch ?? fetch)(url, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (!res.ok) return undefined;
    return await res.json();
  } catch {
    return undefined;
  }
}

/** Local repositories with git, hosted ones whose SCM has an API URL through `http`, the rest unknown. */
export function routedCommitSource(http: HttpCommitSource, local: CommitSource = localCommits): CommitSource {
  const pick = (repo: Repo) => (repoPath(repo) === undefined && http.serves(repo) ? http : local);
  return {
    find: (repo, sha) => pick(repo).find(repo, sha),
    findRef: (repo, ref) => pick(repo).findRef(repo, ref),
  };
}
