// `hangar repo add PATH [--name OWNER/NAME]`: registers a git repository on this machine with the
// server (scm `local`, clone URL = its path) through the repos API. Enabling it makes the server
// install a post-receive hook in a bare repository, so every `git push` into it is a build.
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { headBranch, hooksDir, inspectRepository } from '../../server/scm/git.js';
import { HOOK_MARKER } from '../../server/scm/local-hook.js';
import { UsageError } from '../errors.js';
import { apiClient, parseSlug } from './build.js';

/** The directory a PATH-OR-URL argument names; UsageError for a remote URL. */
export function localRepoDir(arg: string, cwd = process.cwd()): string {
  if (arg.startsWith('file://')) return fileURLToPath(arg);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || /^[^/]+@[^/]+:/.test(arg)) {
    throw new UsageError(
      `${arg} is a remote URL: only repositories on the server's machine can be added (a path or file:// URL)`,
    );
  }
  return resolve(cwd, arg);
}

/** A repository name from a directory: `app.git` → `app`, with characters the API refuses replaced. */
export function nameFromDir(dir: string): string {
  const base = basename(dir).replace(/\.git$/, '') || 'repo';
  return base.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^\.+/, '') || 'repo';
}

/** Registers `hangar repo add`. */
export function registerRepo(program: Command): void {
  const repo = program.command('repo').description('repositories on a Hangar server');
  repo
    .command('add')
    .description('register a git repository on this machine (bare: pushes into it build)')
    .argument('<path>', 'repository directory (bare or not) or file:// URL')
    .option('--name <owner/name>', 'name in Hangar (default: YOUR-LOGIN/DIRECTORY-NAME)')
    .action(async (arg: string, opts: { name?: string }) => {
      const dir = localRepoDir(arg);
      const found = await inspectRepository(dir);
      if (!found) throw new UsageError(`${dir} is not a git repository`);
      const client = apiClient();
      let slug = opts.name;
      if (!slug) {
        const me = (await client.request('GET', '/api/user')) as { login: string };
        slug = `${me.login}/${nameFromDir(dir)}`;
      }
      const { owner, name } = parseSlug(slug);
      const branch = (await headBranch(dir)) ?? 'main';
      const created = (await client.request(
        'POST',
        `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
        {
          json: {
            scm: 'local',
            uid: dir,
            git_http_url: dir,
            default_branch: branch,
            private: true,
            visibility: 'private',
          },
        },
      )) as { slug: string; default_branch: string };
      process.stdout.write(
        `registered ${created.slug} (local, ${found.bare ? 'bare' : 'working copy'}) at ${dir}\n`,
      );
      if (!found.bare) {
        process.stdout.write(`start builds with: hangar build create ${created.slug} [--branch B]\n`);
        return;
      }
      const hook = join(await hooksDir(dir, found.gitDir), 'post-receive');
      const text = await readFile(hook, 'utf8').catch(() => '');
      if (text.includes(HOOK_MARKER)) {
        process.stdout.write(`installed ${hook}: every push into ${dir} notifies the server\n`);
      } else {
        process.stdout.write(
          `warning: no Hangar post-receive hook in ${hook}; pushes will not build until the server installs it (hangar runs the server on this machine?)\n`,
        );
      }
    });
}
