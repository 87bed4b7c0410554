// `hangar cron ls|info|add|rm|exec`: a repository's cron jobs through the server's API, as
// drone-cli's `drone cron`. Expressions: 5 fields (min hour day month weekday), Drone's 6 (seconds
// first), or @hourly, @daily, @weekly, @monthly, @yearly, @every DURATION; times are UTC.
import type { Command } from 'commander';
import { apiClient, repoPath } from '../api-client.js';
import {
  type FormatOptions,
  outputFormat,
  printFields,
  printJson,
  printTable,
  when,
  withFormat,
  yesNo,
} from '../api-output.js';
import { type BuildJson, printNewBuild } from './build.js';

interface CronJson {
  name: string;
  expr: string;
  branch: string;
  next: number;
  prev: number;
  disabled: boolean;
}

const cronPath = (slug: string, name: string) => `${repoPath(slug)}/cron/${encodeURIComponent(name)}`;

/** Registers `hangar cron …`. */
export function registerCron(program: Command): void {
  const cron = program.command('cron').description('cron jobs on a Hangar server');

  withFormat(
    cron
      .command('ls')
      .description("list a repository's cron jobs")
      .argument('<repo>', 'repository, OWNER/NAME'),
  ).action(async (slug: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const list = ((await apiClient().request('GET', `${repoPath(slug)}/cron`)) ?? []) as CronJson[];
    if (format === 'json') return printJson(list);
    printTable(
      ['NAME', 'EXPR', 'BRANCH', 'NEXT', 'PREVIOUS', 'DISABLED'],
      list.map((c) => [
        c.name,
        c.expr,
        c.branch,
        c.disabled ? '-' : when(c.next),
        when(c.prev),
        yesNo(c.disabled),
      ]),
      'no cron jobs',
    );
  });

  withFormat(
    cron
      .command('info')
      .description('show a cron job')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<name>', 'cron job name'),
  ).action(async (slug: string, name: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const c = (await apiClient().request('GET', cronPath(slug, name))) as CronJson;
    if (format === 'json') return printJson(c);
    printFields([
      ['Name', c.name],
      ['Expr', c.expr],
      ['Branch', c.branch],
      ['Next', c.disabled ? '-' : when(c.next)],
      ['Previous', when(c.prev)],
      ['Disabled', yesNo(c.disabled)],
    ]);
  });

  withFormat(
    cron
      .command('add')
      .description('add a cron job (its name is slugified, as Drone does)')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<name>', 'cron job name')
      .argument('<expr>', 'schedule: "0 2 * * *", "@daily", "@every 6h", …')
      .option('--branch <branch>', 'branch to build (default: the repository default branch)'),
  ).action(async (slug: string, name: string, expr: string, opts: FormatOptions & { branch?: string }) => {
    const format = outputFormat(opts);
    const c = (await apiClient().request('POST', `${repoPath(slug)}/cron`, {
      json: { name, expr, ...(opts.branch ? { branch: opts.branch } : {}) },
    })) as CronJson;
    if (format === 'json') return printJson(c);
    process.stdout.write(`added cron job ${c.name} (${c.expr} on ${c.branch}), next run ${when(c.next)}\n`);
  });

  withFormat(
    cron
      .command('rm')
      .description('delete a cron job')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<name>', 'cron job name'),
  ).action(async (slug: string, name: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    await apiClient().request('DELETE', cronPath(slug, name));
    if (format === 'json') return printJson({ name, deleted: true });
    process.stdout.write(`deleted cron job ${name}\n`);
  });

  withFormat(
    cron
      .command('exec')
      .description('run a cron job now (a build of its branch head; its schedule is unchanged)')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<name>', 'cron job name'),
  ).action(async (slug: string, name: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const client = apiClient();
    const res = (await client.request('POST', cronPath(slug, name))) as BuildJson | null;
    if (format === 'json') return printJson(res);
    printNewBuild(client.server, slug, res, 'no build: no pipeline runs for cron events at the branch head');
  });
}
