// Turns the build-describing flags shared by `hangar plan` and `hangar exec` into a BuildContext.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { type BuildContext, emptyContext } from '../spec/context.js';
import { UsageError } from './errors.js';

export interface BuildFlags {
  event?: string;
  branch?: string;
  ref?: string;
  repo?: string;
  commit?: string;
  action?: string;
  target?: string;
  cron?: string;
  changed?: string[];
  instance?: string;
  param?: string[];
  trusted?: boolean;
}

/** The commit `hangar plan` assumes when --commit is not given. */
export const PLACEHOLDER_SHA = '0'.repeat(40);

const EVENTS = ['push', 'pull_request', 'tag', 'promote', 'rollback', 'cron', 'custom'];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the flags that describe the build being planned or run. */
export function addBuildFlags(cmd: Command, required: boolean): Command {
  const opt = (flags: string, desc: string) => (required ? cmd.requiredOption(flags, desc) : cmd.option(flags, desc));
  opt('--event <event>', `build event (${EVENTS.join(', ')})`);
  opt('--branch <branch>', 'branch (for pull requests: the target branch)');
  return cmd
    .option('--ref <ref>', 'git ref (default: refs/heads/BRANCH, refs/tags/BRANCH for tags, refs/pull/1/head for PRs)')
    .option('--repo <owner/name>', 'repository slug')
    .option('--commit <sha>', 'commit sha (default: 40 zeros, or HEAD for exec)')
    .option('--action <action>', 'event action (opened, synchronized, create, …)')
    .option('--target <target>', 'deploy target of a promote or rollback')
    .option('--cron <name>', 'cron job name')
    .option('--instance <host>', 'server host name the `instance` condition sees')
    .option('--changed <path>', 'a file changed by the build, for `paths` conditions (repeatable)', collect)
    .option('--param <key=value>', 'build parameter (repeatable)', collect)
    .option('--trusted', 'treat the repository as trusted', false);
}

/** Builds the context; throws UsageError for values that cannot describe a build. */
export function contextFromFlags(f: BuildFlags, cwd: string): BuildContext {
  const ctx = emptyContext();
  const event = f.event ?? 'push';
  if (!EVENTS.includes(event)) throw new UsageError(`unknown event "${event}" (one of ${EVENTS.join(', ')})`);
  const branch = f.branch ?? 'main';
  const slug = f.repo ?? `local/${basename(cwd) || 'repo'}`;
  const [namespace, name, ...rest] = slug.split('/');
  if (!namespace || !name || rest.length > 0) throw new UsageError(`--repo must be OWNER/NAME, got "${slug}"`);
  let ref = f.ref;
  if (!ref) {
    if (event === 'tag') ref = `refs/tags/${branch}`;
    else if (event === 'pull_request') ref = 'refs/pull/1/head';
    else ref = `refs/heads/${branch}`;
  }
  const params: Record<string, string> = {};
  for (const p of f.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must be KEY=VALUE, got "${p}"`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  ctx.repo = { ...ctx.repo, slug, namespace, name, branch, trusted: f.trusted ?? false };
  ctx.build = {
    ...ctx.build,
    number: 1,
    event,
    action: f.action ?? (event === 'tag' ? 'create' : event === 'pull_request' ? 'opened' : ''),
    trigger: '@hook',
    ref,
    target: event === 'tag' ? '' : branch,
    source: branch,
    // Every real build has a commit; a placeholder keeps `${DRONE_COMMIT_SHA}` from vanishing.
    after: f.commit ?? PLACEHOLDER_SHA,
    deployTo: f.target ?? '',
    cron: f.cron ?? '',
    params,
  };
  if (f.changed) ctx.build.changedFiles = f.changed;
  ctx.system = { ...ctx.system, host: f.instance ?? '', hostname: f.instance ?? '' };
  return ctx;
}
