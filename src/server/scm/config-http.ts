// The configuration file of a build read from the SCM's API (Drone's ConfigService over go-scm's
// Contents.Find), for repositories hosted on GitHub, Gitea and GitLab. The API URLs and tokens are
// the commit-status settings (HANGAR_{GITHUB,GITEA,GITLAB}_{API,TOKEN}); the repo owner's own token
// goes first, as for statuses. Repositories on this machine are still read with git.
import type { Repo } from '../store/models.js';
import { type BuildRef, ConfigFetchError, type ConfigSource, localConfig, repoPath } from './content.js';

/** An SCM whose API the configuration can be read from. */
export type ContentProvider = 'github' | 'gitea' | 'gitlab';

/** One GET request, as handed to fetch. */
export interface ContentRequest {
  url: string;
  headers: Record<string, string>;
}

const trimBase = (url: string) => url.replace(/\/+$/, '');
const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * The request for file `path` of `slug` at `ref` (bases as the status settings hold them: GitHub's
 * API root, Gitea's and GitLab's server URL without /api/v1, /api/v4). No token, no authorization.
 */
export function contentRequest(
  provider: ContentProvider,
  apiUrl: string,
  token: string,
  slug: string,
  path: string,
  ref: string,
): ContentRequest {
  const headers: Record<string, string> = {};
  if (token !== '') headers.authorization = `Bearer ${token}`;
  const q = `ref=${encodeURIComponent(ref)}`;
  const base = trimBase(apiUrl);
  const file = path.replace(/^\/+/, '');
  switch (provider) {
    case 'github':
      return {
        url: `${base}/repos/${slug}/contents/${encodePath(file)}?${q}`,
        headers: { ...headers, accept: 'application/vnd.github+json' },
      };
    case 'gitea':
      return {
        url: `${base}/api/v1/repos/${slug}/raw/${encodePath(file)}?${q}`,
        headers: { ...headers, accept: '*/*' },
      };
    case 'gitlab':
      return {
        url: `${base}/api/v4/projects/${encodeURIComponent(slug)}/repository/files/${encodeURIComponent(file)}/raw?${q}`,
        headers: { ...headers, accept: '*/*' },
      };
  }
}

/** Settings of the HTTP configuration source. */
export interface HttpConfigOptions {
  /** API base per SCM (as StatusSettings.endpoints); a repo of an SCM without one is not read here. */
  endpoints: Partial<Record<ContentProvider, string>>;
  /** Token per SCM for repositories whose owner has no SCM token of their own. */
  tokens?: Partial<Record<ContentProvider, string>>;
  /** The repo owner's SCM token ('' when none). */
  ownerToken?: (repo: Repo) => Promise<string>;
  /** fetch (tests may pass another). */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** Largest configuration accepted (GitHub's contents API serves up to 1 MB inline). */
const MAX_BYTES = 4 * 1024 * 1024;

function isProvider(scm: string): scm is ContentProvider {
  return scm === 'github' || scm === 'gitea' || scm === 'gitlab';
}

/** Reads configurations through the GitHub, Gitea or GitLab API. */
export class HttpConfigSource implements ConfigSource {
  constructor(private readonly options: HttpConfigOptions) {}

  /** Whether `repo` belongs to an SCM this source has an API URL for. */
  serves(repo: Repo): boolean {
    return isProvider(repo.scm) && this.options.endpoints[repo.scm] !== undefined;
  }

  async find(repo: Repo, build: BuildRef): Promise<string> {
    const provider = repo.scm;
    const apiUrl = isProvider(provider) ? this.options.endpoints[provider] : undefined;
    if (!isProvider(provider) || apiUrl === undefined) {
      throw new ConfigFetchError(
        `cannot fetch ${repo.config_path} of ${repo.slug}: no ${repo.scm} API is configured`,
      );
    }
    // A ref names a branch or tag by its short name, as go-scm passes it to every SCM.
    const rev = build.after || build.ref.replace(/^refs\/(heads|tags)\//, '');
    if (!rev) throw new ConfigFetchError('the build names no commit to read the configuration from');
    const owner = (await this.options.ownerToken?.(repo).catch(() => '')) ?? '';
    const token = owner || this.options.tokens?.[provider] || '';
    const req = contentRequest(provider, apiUrl, token, repo.slug, repo.config_path, rev);
    const what = `${repo.config_path} of ${repo.slug}`;
    const got = await this.get(provider, req, what);
    if (got.status === 404)
      throw new ConfigFetchError(`${repo.config_path} not found at ${rev.slice(0, 12)}`);
    const body = this.checked(provider, got, what);
    if (provider !== 'github') return body;
    const file = githubFile(body, what);
    if (file.encoding === 'base64' && typeof file.content === 'string') return decode(file.content);
    // Files over 1 MB come without content; their blob has it (as go-scm reads them).
    if (file.encoding === 'none' && typeof file.sha === 'string' && /^[0-9a-f]{40,64}$/.test(file.sha)) {
      const blobReq = {
        url: `${trimBase(apiUrl)}/repos/${repo.slug}/git/blobs/${file.sha}`,
        headers: req.headers,
      };
      const blob = githubFile(
        this.checked(provider, await this.get(provider, blobReq, what), what),
        what,
        false,
      );
      if (blob.encoding === 'base64' && typeof blob.content === 'string') return decode(blob.content);
    }
    throw new ConfigFetchError(`cannot fetch ${what}: github sent no content`);
  }

  private async get(
    provider: ContentProvider,
    req: ContentRequest,
    what: string,
  ): Promise<{ status: number; body: string }> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    try {
      const res = await (this.options.fetch ?? fetch)(req.url, {
        headers: req.headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ConfigFetchError(
          `cannot fetch ${what}: ${provider} did not answer within ${timeoutMs / 1000} s`,
        );
      }
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
      throw new ConfigFetchError(
        `cannot fetch ${what}: ${provider} cannot be reached${cause ? ` (${cause})` : ''}`,
      );
    }
  }

  private checked(provider: ContentProvider, got: { status: number; body: string }, what: string): string {
    if (got.status < 200 || got.status > 299) {
      const hint = got.status === 401 || got.status === 403 ? ' (check the SCM token)' : '';
      throw new ConfigFetchError(`cannot fetch ${what}: ${provider} answered ${got.status}${hint}`);
    }
    if (Buffer.byteLength(got.body) > MAX_BYTES) {
      throw new ConfigFetchError(
        `cannot fetch ${what}: the answer is larger than ${MAX_BYTES / 1024 / 1024} MB`,
      );
    }
    return got.body;
  }
}

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

interface GithubFile {
  type?: unknown;
  encoding?: unknown;
  content?: unknown;
  sha?: unknown;
}

/** A GitHub contents (or blob) answer: `{type: "file", encoding: "base64", content, sha}`. */
function githubFile(body: string, what: string, contents = true): GithubFile {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new ConfigFetchError(`cannot fetch ${what}: github answered something that is not JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigFetchError(`cannot fetch ${what}: it is not a file`);
  }
  const file = doc as GithubFile;
  if (contents && file.type !== 'file') throw new ConfigFetchError(`cannot fetch ${what}: it is not a file`);
  return file;
}

/**
 * Local repositories (a path as clone URL, or scm `local`) with git; GitHub/Gitea/GitLab repos whose
 * SCM has an API URL through `http`; the rest get the local source's "not configured" error.
 */
export function routedConfigSource(http: HttpConfigSource, local: ConfigSource = localConfig): ConfigSource {
  return {
    find(repo, build) {
      if (repoPath(repo) === undefined && http.serves(repo)) return http.find(repo, build);
      return local.find(repo, build);
    },
  };
}
