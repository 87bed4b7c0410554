// `hangar build ls|info|create|restart|stop|promote|rollback|approve|decline`: builds through the
// server's API, as drone-cli's `drone build` does (drone-reference.md Appendix B). Configured by
// HANGAR_SERVER / HANGAR_TOKEN (or DRONE_SERVER / DRONE_TOKEN); tables by default, JSON with
// `--format json`.
import type { Command } from 'commander';
import { addParams, apiClient, collect, parseNumber, repoPath } from '../api-client.js';
import {
  type FormatOptions,
  firstLine,
  outputFormat,
  printFields,
  printJson,
  printTable,
  when,
  withFormat,
} from '../api-output.js';
import { UsageError } from '../errors.js';

// The client lives in ../api-client.ts; these names stay importable from here.
export { ApiError, type ApiClient, apiClient, parseSlug } from '../api-client.js';

/** A step as the API shows it. */
interface StepJson {
  number: number;
  name: string;
  status: string;
  exit_code: number;
  error?: string;
}

/** A stage as the API shows it. */
interface StageJson {
  number: number;
  name: string;
  status: string;
  os?: string;
  arch?: string;
  machine?: string;
  error?: string;
  steps?: StepJson[];
}

/** A build as the API shows it. */
export interface BuildJson {
  number: number;
  status: string;
  event: string;
  trigger?: string;
  ref: string;
  target?: string;
  before?: string;
  after: string;
  parent?: number;
  message?: string;
  author_login?: string;
  author_name?: string;
  author_email?: string;
  sender?: string;
  cron?: string;
  deploy_to?: string;
  params?: Record<string, string>;
  error?: string;
  created?: number;
  started?: number;
  finished?: number;
  stages?: StageJson[];
}

/** One line per new build: number, status, event, ref and commit, its stages, and its link. */
export function printNewBuild(
  server: string,
  slug: string,
  res: BuildJson | null | undefined,
  none: string,
): void {
  if (!res) {
    process.stdout.write(`${none}\n`);
    return;
  }
  process.stdout.write(
    `build #${res.number} ${res.status} (${res.event} ${res.ref} ${res.after.slice(0, 12)})\n`,
  );
  if (res.error) process.stdout.write(`error: ${res.error}\n`);
  for (const s of res.stages ?? []) process.stdout.write(`  ${s.number}. ${s.name}: ${s.status}\n`);
  process.stdout.write(`${server}/${slug}/${res.number}\n`);
  if (res.status === 'error') process.exitCode = 1;
}

function author(b: BuildJson): string {
  const who = b.author_login || b.author_name || '';
  return b.author_email ? `${who} <${b.author_email}>`.trim() : who;
}

/** The build page of `info`: its fields, then each stage with its steps. */
function printBuild(server: string, slug: string, b: BuildJson): void {
  const fields: [string, unknown][] = [
    ['Build', `#${b.number}`],
    ['Status', b.status],
    ['Event', b.event],
    ['Trigger', b.trigger ?? ''],
    ['Ref', b.ref],
    ['Branch', b.target ?? ''],
    ['Commit', b.after],
    ['Author', author(b)],
    ['Message', firstLine(b.message, 200)],
    ['Created', when(b.created)],
    ['Started', when(b.started)],
    ['Finished', when(b.finished)],
  ];
  if (b.parent) fields.push(['Parent', `#${b.parent}`]);
  if (b.cron) fields.push(['Cron', b.cron]);
  if (b.deploy_to) fields.push(['Deploy to', b.deploy_to]);
  const params = Object.entries(b.params ?? {});
  if (params.length > 0) fields.push(['Params', params.map(([k, v]) => `${k}=${v}`).join(' ')]);
  if (b.error) fields.push(['Error', b.error]);
  fields.push(['Link', `${server}/${slug}/${b.number}`]);
  printFields(fields);
  const stages = b.stages ?? [];
  if (stages.length === 0) return;
  const rows: unknown[][] = [];
  for (const s of stages) {
    rows.push([`${s.number}`, s.name, s.status, '', s.machine ?? '']);
    for (const p of s.steps ?? []) {
      rows.push([`${s.number}.${p.number}`, `  ${p.name}`, p.status, String(p.exit_code), p.error ?? '']);
    }
  }
  process.stdout.write('\n');
  printTable(['STAGE', 'NAME', 'STATUS', 'EXIT', 'DETAIL'], rows, '');
}

const buildPath = (slug: string, n: number) => `${repoPath(slug)}/builds/${n}`;

/** Registers `hangar build …`. */
export function registerBuild(program: Command): void {
  const build = program.command('build').description('builds on a Hangar server');

  withFormat(
    build
      .command('ls')
      .description('list the builds of a repository, newest first')
      .argument('<repo>', 'repository, OWNER/NAME')
      .option('--branch <branch>', 'only builds of this branch')
      .option('--event <event>', 'only builds of this event (push, pull_request, tag, cron, …)')
      .option('--status <status>', 'only builds with this status')
      .option('--limit <n>', 'at most this many builds', '25')
      .option('--page <n>', 'page of the history (25 builds a page, or --limit)', '1'),
  ).action(
    async (
      slug: string,
      opts: FormatOptions & { branch?: string; event?: string; status?: string; limit: string; page: string },
    ) => {
      const format = outputFormat(opts);
      const limit = parseNumber(opts.limit, '--limit');
      const page = parseNumber(opts.page, '--page');
      const query = new URLSearchParams({ page: String(page), per_page: String(Math.min(limit, 100)) });
      if (opts.branch) query.set('branch', opts.branch);
      const client = apiClient();
      const list = ((await client.request('GET', `${repoPath(slug)}/builds`, { query })) ??
        []) as BuildJson[];
      const builds = list
        .filter((b) => !opts.event || b.event === opts.event)
        .filter((b) => !opts.status || b.status === opts.status)
        .slice(0, limit);
      if (format === 'json') return printJson(builds);
      printTable(
        ['BUILD', 'STATUS', 'EVENT', 'BRANCH', 'COMMIT', 'AUTHOR', 'CREATED', 'MESSAGE'],
        builds.map((b) => [
          `#${b.number}`,
          b.status,
          b.event,
          b.target || b.ref,
          b.after.slice(0, 8),
          b.author_login || b.author_name || '',
          when(b.created),
          firstLine(b.message, 50),
        ]),
        'no builds',
      );
    },
  );

  withFormat(
    build
      .command('info')
      .description('show a build with its stages and steps (default: the latest)')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('[build]', 'build number, or "last"')
      .option('--branch <branch>', 'with "last": the latest build of this branch'),
  ).action(async (slug: string, number: string | undefined, opts: FormatOptions & { branch?: string }) => {
    const format = outputFormat(opts);
    const client = apiClient();
    let path: string;
    const query = new URLSearchParams();
    if (number === undefined || number === 'last') {
      path = `${repoPath(slug)}/builds/latest`;
      if (opts.branch) query.set('branch', opts.branch);
    } else {
      path = buildPath(slug, parseNumber(number, 'build'));
    }
    const res = (await client.request('GET', path, { query })) as BuildJson;
    if (format === 'json') return printJson(res);
    printBuild(client.server, slug, res);
  });

  withFormat(
    build
      .command('create')
      .description('start a build of a branch or commit (a `custom` event), like `drone build create`')
      .argument('<repo>', 'repository, OWNER/NAME')
      .option('--branch <branch>', 'branch to build (default: the repository default branch)')
      .option('--commit <sha>', 'commit to build (default: the head of the branch)')
      .option('--param <key=value>', 'build parameter (repeatable)', collect, [] as string[]),
  ).action(
    async (slug: string, opts: FormatOptions & { branch?: string; commit?: string; param: string[] }) => {
      const format = outputFormat(opts);
      const query = new URLSearchParams();
      if (opts.branch) query.set('branch', opts.branch);
      if (opts.commit) query.set('commit', opts.commit);
      addParams(query, opts.param, ['branch', 'commit']);
      const client = apiClient();
      const res = (await client.request('POST', `${repoPath(slug)}/builds`, { query })) as BuildJson | null;
      if (format === 'json') return printJson(res);
      printNewBuild(
        client.server,
        slug,
        res,
        'no build: no pipeline matches this commit (or its message skips CI)',
      );
    },
  );

  withFormat(
    build
      .command('restart')
      .alias('start')
      .description('run a build again: a new build of the same commit')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<build>', 'build number')
      .option('--param <key=value>', 'build parameter (repeatable)', collect, [] as string[])
      .option('--debug', 'run with debugging on'),
  ).action(
    async (slug: string, number: string, opts: FormatOptions & { param: string[]; debug?: boolean }) => {
      const format = outputFormat(opts);
      const n = parseNumber(number, 'build');
      const query = new URLSearchParams();
      addParams(query, opts.param, ['debug']);
      if (opts.debug) query.set('debug', 'true');
      const client = apiClient();
      const res = (await client.request('POST', buildPath(slug, n), { query })) as BuildJson | null;
      if (format === 'json') return printJson(res);
      printNewBuild(client.server, slug, res, `no build: no pipeline of build #${n} runs again`);
    },
  );

  withFormat(
    build
      .command('stop')
      .alias('cancel')
      .description('cancel a pending or running build')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<build>', 'build number'),
  ).action(async (slug: string, number: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const n = parseNumber(number, 'build');
    const client = apiClient();
    const res = (await client.request('DELETE', buildPath(slug, n))) as BuildJson;
    if (format === 'json') return printJson(res);
    process.stdout.write(`build #${res.number} ${res.status}\n`);
  });

  for (const event of ['promote', 'rollback'] as const) {
    withFormat(
      build
        .command(event)
        .description(
          event === 'promote'
            ? 'promote a build to an environment (a `promote` event)'
            : 'roll an environment back to a build (a `rollback` event)',
        )
        .argument('<repo>', 'repository, OWNER/NAME')
        .argument('<build>', 'build number')
        .argument('<environment>', 'target environment (DRONE_DEPLOY_TO)')
        .option('--param <key=value>', 'build parameter (repeatable)', collect, [] as string[]),
    ).action(
      async (
        slug: string,
        number: string,
        environment: string,
        opts: FormatOptions & { param: string[] },
      ) => {
        const format = outputFormat(opts);
        const n = parseNumber(number, 'build');
        if (environment.trim() === '') throw new UsageError('the environment must not be empty');
        const query = new URLSearchParams({ target: environment });
        addParams(query, opts.param, ['target']);
        const client = apiClient();
        const res = (await client.request('POST', `${buildPath(slug, n)}/${event}`, {
          query,
        })) as BuildJson | null;
        if (format === 'json') return printJson(res);
        printNewBuild(client.server, slug, res, `no build: no pipeline runs for ${event} to ${environment}`);
      },
    );
  }

  for (const verb of ['approve', 'decline'] as const) {
    withFormat(
      build
        .command(verb)
        .description(
          verb === 'approve'
            ? 'approve a stage waiting for approval (default: every waiting stage of the build)'
            : 'decline a stage waiting for approval (default: the whole build)',
        )
        .argument('<repo>', 'repository, OWNER/NAME')
        .argument('<build>', 'build number')
        .argument('[stage]', 'stage number'),
    ).action(async (slug: string, number: string, stageText: string | undefined, opts: FormatOptions) => {
      const format = outputFormat(opts);
      const n = parseNumber(number, 'build');
      const client = apiClient();
      let stages: number[];
      if (stageText !== undefined) stages = [parseNumber(stageText, 'stage')];
      else if (verb === 'decline') stages = [];
      else {
        const current = (await client.request('GET', buildPath(slug, n))) as BuildJson;
        stages = (current.stages ?? []).filter((s) => s.status === 'blocked').map((s) => s.number);
        if (stages.length === 0) throw new Error(`build #${n} has no stage waiting for approval`);
      }
      if (stages.length === 0) await client.request('POST', `${buildPath(slug, n)}/decline`);
      for (const s of stages) await client.request('POST', `${buildPath(slug, n)}/${verb}/${s}`);
      const res = (await client.request('GET', buildPath(slug, n))) as BuildJson;
      if (format === 'json') return printJson(res);
      const what =
        stageText === undefined && verb === 'decline' ? 'build' : `stage ${stages.join(', ')} of build`;
      process.stdout.write(`${verb === 'approve' ? 'approved' : 'declined'} ${what} #${n}: ${res.status}\n`);
    });
  }
}
