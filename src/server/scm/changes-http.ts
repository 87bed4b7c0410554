// The files a push changed, from the SCM's compare API when the payload does not list them all
// (GitHub sends at most 20 commits, GitLab and Gitea may truncate too): `when: paths` then sees them.
import type { Repo } from '../store/models.js';
import { apiGet } from './commits-http.js';
import type { ContentProvider, HttpConfigOptions } from './config-http.js';
import { type ChangeSource, localChanges, repoPath } from './content.js';

const SHA = /^[0-9a-fA-F]{7,64}$/;
/** GitHub's compare lists at most 300 files; a list that long may be cut short. */
const GITHUB_MAX_FILES = 300;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function isProvider(scm: string): scm is ContentProvider {
  return scm === 'github' || scm === 'gitea' || scm === 'gitlab';
}

/** The compare URL of `before`..`after`. */
export function compareUrl(
  provider: ContentProvider,
  apiUrl: string,
  slug: string,
  before: string,
  after: string,
): string {
  const base = apiUrl.replace(/\/+$/, '');
  switch (provider) {
    case 'github':
      return `${base}/repos/${slug}/compare/${before}...${after}`;
    case 'gitea':
      return `${base}/api/v1/repos/${slug}/compare/${before}...${after}`;
    case 'gitlab':
      return `${base}/api/v4/projects/${encodeURIComponent(slug)}/repository/compare?from=${before}&to=${after}`;
  }
}

/** The changed paths of a compare answer, or undefined when it may be incomplete or is not one. */
export function changedPathsOf(provider: ContentProvider, doc: unknown): string[] | undefined {
  const d = obj(doc);
  if (provider === 'gitlab') {
    if (!Array.isArray(d.diffs)) return undefined;
    return [
      ...new Set(
        list(d.diffs)
          .map((f) => str(obj(f).new_path) || str(obj(f).old_path))
          .filter(Boolean),
      ),
    ];
  }
  if (!Array.isArray(d.files)) return undefined;
  if (provider === 'github' && d.files.length >= GITHUB_MAX_FILES) return undefined;
  return [
    ...new Set(
      list(d.files)
        .map((f) => str(obj(f).filename))
        .filter(Boolean),
    ),
  ];
}

/** Changed files through the SCM's compare API. */
export class HttpChangeSource implements ChangeSource {
  constructor(private readonly options: HttpConfigOptions) {}

  /** Whether `repo` belongs to an SCM this source has an API URL for. */
  serves(repo: Repo): boolean {
    return isProvider(repo.scm) && this.options.endpoints[repo.scm] !== undefined;
  }

  async list(repo: Repo, before: string, after: string): Promise<string[] | undefined> {
    const provider = repo.scm;
    if (!isProvider(provider)) return undefined;
    const apiUrl = this.options.endpoints[provider];
    // A new branch has no "before" (all zeros): nothing to compare with.
    if (apiUrl === undefined || !SHA.test(before) || /^0+$/.test(before) || !SHA.test(after))
      return undefined;
    const doc = await apiGet(this.options, repo, compareUrl(provider, apiUrl, repo.slug, before, after));
    return doc === undefined ? undefined : changedPathsOf(provider, doc);
  }
}

/** Local repositories with git, hosted ones whose SCM has an API URL through `http`. */
export function routedChangeSource(http: HttpChangeSource, local: ChangeSource = localChanges): ChangeSource {
  return {
    list: (repo, before, after) =>
      (repoPath(repo) === undefined && http.serves(repo) ? http : local).list(repo, before, after),
  };
}
