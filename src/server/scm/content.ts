// Where the trigger reads a repository's content from: the configuration file at the build's
// commit (Drone's ConfigService), commit details (CommitService) and the files a push changed.
// Repositories on this machine (scm `local`, or any repo whose clone URL is a local path) are read
// with git; the GitHub/Gitea/GitLab APIs are not wired up, and say so in the error build.
import type { Build, Repo } from '../store/models.js';
import {
  type Commit,
  changedFiles,
  commitInfo,
  GitError,
  localPath,
  resolveRevision,
  showFile,
} from './git.js';

/** A configuration that could not be fetched; the message becomes the error build's `error`. */
export class ConfigFetchError extends Error {
  override name = 'ConfigFetchError';
}

/** What a content lookup needs to know about the build. */
export type BuildRef = Pick<Build, 'after' | 'ref' | 'before'>;

/** The configuration file of a build (Drone's ConfigService.Find). */
export interface ConfigSource {
  /** The configuration text; ConfigFetchError when there is none to be had. */
  find(repo: Repo, build: BuildRef): Promise<string>;
}

/** Commit details (Drone's CommitService). */
export interface CommitSource {
  /** The commit `sha`, or undefined when unknown or not reachable. */
  find(repo: Repo, sha: string): Promise<Commit | undefined>;
  /** The commit a ref (`refs/heads/main`) points at, or undefined. */
  findRef(repo: Repo, ref: string): Promise<Commit | undefined>;
}

/** The files a push changed. */
export interface ChangeSource {
  /** Changed files between two commits, or undefined when it cannot be told. */
  list(repo: Repo, before: string, after: string): Promise<string[] | undefined>;
}

/** The local directory a repo can be read from, if it lives on this machine. */
export function repoPath(repo: Repo): string | undefined {
  return localPath(repo.git_http_url) ?? (repo.scm === 'local' ? localPath(repo.uid) : undefined);
}

function notConfigured(repo: Repo): ConfigFetchError {
  const scm = repo.scm || 'this SCM';
  return new ConfigFetchError(
    `cannot fetch ${repo.config_path} of ${repo.slug}: reading files from ${scm} is not configured ` +
      '(only repositories on this machine can be read; register a local mirror with `hangar repo add`)',
  );
}

/** Reads configurations with `git show <commit>:<config_path>` from repositories on this machine. */
export const localConfig: ConfigSource = {
  async find(repo, build) {
    const dir = repoPath(repo);
    if (!dir) throw notConfigured(repo);
    const rev = build.after || build.ref;
    if (!rev) throw new ConfigFetchError('the build names no commit to read the configuration from');
    let text: string | undefined;
    try {
      text = await showFile(dir, rev, repo.config_path);
    } catch (err) {
      if (err instanceof GitError)
        throw new ConfigFetchError(`cannot read ${repo.config_path}: ${err.message}`);
      throw err;
    }
    if (text === undefined) {
      throw new ConfigFetchError(`${repo.config_path} not found at ${rev.slice(0, 12)}`);
    }
    return text;
  },
};

/** Commit details from repositories on this machine; nothing for the others. */
export const localCommits: CommitSource = {
  async find(repo, sha) {
    const dir = repoPath(repo);
    if (!dir) return undefined;
    try {
      return await commitInfo(dir, sha);
    } catch {
      return undefined;
    }
  },
  async findRef(repo, ref) {
    const dir = repoPath(repo);
    if (!dir) return undefined;
    try {
      const sha = await resolveRevision(dir, ref);
      return sha ? await commitInfo(dir, sha) : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Changed files from repositories on this machine (`git diff --name-only before after`). */
export const localChanges: ChangeSource = {
  async list(repo, before, after) {
    const dir = repoPath(repo);
    if (!dir) return undefined;
    return changedFiles(dir, before, after);
  },
};
