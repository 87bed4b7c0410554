// The `post-receive` hook Hangar installs in a local bare repository, so that a `git push` into it
// is a webhook like any other: for every ref the push updated, the hook POSTs a signed local-push
// payload (local.ts) to the server's /hook. The script is Node (the server's own node binary), so
// it needs nothing else on the machine; it never fails the push, it only reports what happened.
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repo, User } from '../store/models.js';
import { repoPath } from './content.js';
import { hooksDir, inspectRepository } from './git.js';

/** The line that marks a hook as Hangar's (and lets a re-install replace it). */
export const HOOK_MARKER = 'Installed by Hangar: hangar-post-receive';

/** A repository Hangar cannot hook into; `statusCode` is the API's answer. */
export class LocalHookError extends Error {
  override name = 'LocalHookError';
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** The text of the post-receive hook for `slug`, notifying `hookUrl`, signing with `key`. */
export function postReceiveScript(nodePath: string, hookUrl: string, slug: string, key: string): string {
  return `#!${nodePath}
// ${HOOK_MARKER} v1. Tells the Hangar server about every ref a push updates.
// Re-installed (and replaced) whenever the repository is enabled or repaired in Hangar.
// No require/import statements: the hook must run as CommonJS and as an ES module alike (a
// repository under a package.json with "type": "module" makes node read it as the latter).
const SERVER = ${JSON.stringify(hookUrl)};
const REPO = ${JSON.stringify(slug)};
const KEY = ${JSON.stringify(key)};

async function notify(createHmac, before, after, ref) {
  const body = JSON.stringify({ repo: REPO, ref, before, after, sender: process.env.USER || process.env.LOGNAME || '' });
  const signature = 'sha256=' + createHmac('sha256', KEY).update(body).digest('hex');
  try {
    const res = await fetch(SERVER, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hangar-event': 'push', 'x-hangar-signature': signature },
      body,
      signal: AbortSignal.timeout(30000),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try { message = JSON.parse(text).message || text; } catch {}
      console.error('hangar: ' + ref + ': the server refused the push notification (' + res.status + '): ' + message);
      return;
    }
    let build = null;
    try { build = JSON.parse(text || 'null'); } catch {}
    console.error(build && build.number ? 'hangar: ' + ref + ': build #' + build.number + ' (' + build.status + ')' : 'hangar: ' + ref + ': no build');
  } catch (err) {
    console.error('hangar: ' + ref + ': cannot reach ' + SERVER + ': ' + (err && err.message ? err.message : err));
  }
}

(async () => {
  const { createHmac } = await import('node:crypto');
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  for (const line of input.split('\\n')) {
    const [before, after, ref] = line.trim().split(/\\s+/);
    if (ref) await notify(createHmac, before, after, ref);
  }
})();
`;
}

/** Settings of the local hook installer. */
export interface LocalHookOptions {
  /** The URL the hook POSTs to (the server's `/hook`), read when a repo is activated. */
  hookUrl: () => string;
  /** The node binary the hook runs with (default: the server's own). */
  nodePath?: string;
}

/**
 * Installs or replaces the post-receive hook of a local bare repository. A non-bare repository
 * gets none (nobody pushes into a checked-out branch); builds come from `hangar build create`.
 * Returns where the hook was written, if anywhere.
 */
export async function installLocalHook(repo: Repo, options: LocalHookOptions): Promise<string | undefined> {
  const dir = repoPath(repo);
  if (!dir)
    throw new LocalHookError(`repository ${repo.slug} has no local path (clone URL "${repo.git_http_url}")`);
  const found = await inspectRepository(dir);
  if (!found) throw new LocalHookError(`${dir} is not a git repository`);
  if (!found.bare) return undefined;
  if (repo.signer === '')
    throw new LocalHookError(`repository ${repo.slug} has no webhook secret; repair it first`);
  const file = join(await hooksDir(dir, found.gitDir), 'post-receive');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    throw new LocalHookError(
      `${file} exists and was not written by Hangar; remove it or merge it by hand`,
      409,
    );
  }
  const script = postReceiveScript(
    options.nodePath ?? process.execPath,
    options.hookUrl(),
    repo.slug,
    repo.signer,
  );
  // The hook holds the repo's webhook secret: readable by its owner only.
  await writeFile(file, script, { mode: 0o700 });
  await chmod(file, 0o700);
  return file;
}

/** Removes Hangar's post-receive hook from a local bare repository (leaves anyone else's alone). */
export async function removeLocalHook(repo: Repo): Promise<void> {
  const dir = repoPath(repo);
  if (!dir) return;
  const found = await inspectRepository(dir);
  if (!found?.bare) return;
  const file = join(await hooksDir(dir, found.gitDir), 'post-receive');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.includes(HOOK_MARKER)) await rm(file, { force: true });
}

/** The repo hooks of the server (AppDeps.repoHooks): local repositories get a post-receive hook. */
export function localRepoHooks(options: LocalHookOptions): {
  activate(repo: Repo, user: User): Promise<void>;
  deactivate(repo: Repo, user: User): Promise<void>;
} {
  return {
    async activate(repo) {
      // GitHub, Gitea and GitLab webhooks are registered at the SCM, which is not wired up here.
      if (repo.scm !== 'local') return;
      await installLocalHook(repo, options);
    },
    async deactivate(repo) {
      if (repo.scm !== 'local') return;
      await removeLocalHook(repo);
    },
  };
}
