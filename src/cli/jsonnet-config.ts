// `hangar lint|plan|exec FILE.jsonnet`: the file is evaluated into YAML first, as the server does
// with HANGAR_JSONNET_ENABLED, with the build's ext vars. Imports are read from disk, relative to
// the importing file and never outside the repository (the folder holding `.git` above the file,
// or the file's own folder).
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_IMPORT_LIMIT, evaluateJsonnet, JsonnetError } from '../convert/jsonnet.js';
import { jsonnetExtVars } from '../convert/jsonnet-vars.js';
import type { BuildContext } from '../spec/context.js';
import { UsageError } from './errors.js';

/** Whether `file` is a Jsonnet configuration. */
export function isJsonnet(file: string): boolean {
  return file.endsWith('.jsonnet');
}

/** The folder imports may come from: the enclosing git work tree, else the file's folder. */
function repoRootOf(file: string): string {
  const start = dirname(resolve(file));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/**
 * The configuration as YAML text and the name its diagnostics are reported under: YAML files as
 * they are, a `.jsonnet` file evaluated (its errors are usage errors: exit 2).
 */
export async function yamlConfig(
  file: string,
  text: string,
  ctx: BuildContext,
): Promise<{ text: string; label: string }> {
  if (!isJsonnet(file)) return { text, label: file };
  const root = repoRootOf(file);
  const realRoot = await realpath(root);
  const rel = relative(root, resolve(file)).split(sep).join('/');
  const read = async (path: string): Promise<string> => {
    let real: string;
    try {
      real = await realpath(join(root, path));
    } catch {
      throw new Error(`no such file ${path}`);
    }
    // A symbolic link inside the repository must not lead out of it.
    if (real !== realRoot && !real.startsWith(realRoot + sep))
      throw new Error(`${path} leads outside the repository`);
    return readFile(real, 'utf8');
  };
  try {
    const yaml = await evaluateJsonnet({
      file: rel,
      source: text,
      extVars: jsonnetExtVars(
        {
          event: ctx.build.event,
          action: ctx.build.action,
          deploy_to: ctx.build.deployTo,
          link: ctx.build.link,
          target: ctx.build.target,
          source: ctx.build.source,
          before: ctx.build.before,
          after: ctx.build.after,
          ref: ctx.build.ref,
          title: ctx.build.title,
          message: ctx.build.message,
          source_repo: ctx.build.sourceRepo,
          author_login: ctx.build.authorLogin,
          author_name: ctx.build.authorName,
          author_email: ctx.build.authorEmail,
          author_avatar: ctx.build.authorAvatar,
          sender: ctx.build.sender,
          params: ctx.build.params,
        },
        {
          uid: '',
          name: ctx.repo.name,
          namespace: ctx.repo.namespace,
          slug: ctx.repo.slug,
          git_http_url: ctx.repo.httpUrl,
          git_ssh_url: ctx.repo.sshUrl,
          link: ctx.repo.link,
          default_branch: ctx.repo.branch,
          config_path: rel,
          private: ctx.repo.private,
          visibility: ctx.repo.visibility,
          active: true,
          trusted: ctx.repo.trusted,
          protected: ctx.repo.protected,
          ignore_forks: false,
          ignore_pull_requests: false,
        },
      ),
      read,
      importLimit: DEFAULT_IMPORT_LIMIT,
    });
    // Diagnostics point into the generated YAML, not into the Jsonnet source.
    return { text: yaml, label: `${file} (as YAML)` };
  } catch (err) {
    if (err instanceof JsonnetError) throw new UsageError(err.message);
    throw err;
  }
}
