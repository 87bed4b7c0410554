// `hangar secret ls|add|update|rm`: a repository's secrets through the server's API, as drone-cli's
// `drone secret`. Values go to the server only: they are never printed, and the API never answers
// them. `--data @FILE` reads the value from a file, `--data -` from standard input (so it stays out
// of the shell's history).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { apiClient, repoPath } from '../api-client.js';
import { type FormatOptions, outputFormat, printJson, printTable, withFormat, yesNo } from '../api-output.js';
import { UsageError } from '../errors.js';

interface SecretJson {
  name: string;
  pull_request: boolean;
  pull_request_push: boolean;
}

interface SecretOptions extends FormatOptions {
  repository?: string;
  name?: string;
  data?: string;
  value?: string;
  allowPullRequest?: boolean;
  allowPushOnPullRequest?: boolean;
}

/** The repository a secret command acts on: the argument, or `--repository` as drone-cli has it. */
function repoOf(arg: string | undefined, opts: SecretOptions): string {
  const slug = arg ?? opts.repository;
  if (!slug) throw new UsageError('name the repository: OWNER/NAME (or --repository OWNER/NAME)');
  return slug;
}

function nameOf(arg: string | undefined, opts: SecretOptions): string {
  const name = arg ?? opts.name;
  if (!name) throw new UsageError('name the secret: NAME (or --name NAME)');
  return name;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** The value `--data` (or drone-cli's older `--value`) gives: text, `@FILE`, or `-` for stdin. */
async function secretValue(opts: SecretOptions, required: boolean): Promise<string | undefined> {
  const given = opts.data ?? opts.value;
  if (given === undefined) {
    if (required)
      throw new UsageError('give the value: --data VALUE, --data @FILE or --data - (standard input)');
    return undefined;
  }
  if (given === '-') return readStdin();
  if (given.startsWith('@')) {
    const file = given.slice(1);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  return given;
}

function secretOptions(cmd: Command, withValue: boolean): Command {
  cmd
    .option('--repository <owner/name>', 'repository (instead of the argument)')
    .option('--name <name>', 'secret name (instead of the argument)');
  if (withValue) {
    cmd
      .option('--data <value>', 'the value; @FILE reads a file, - reads standard input')
      .option('--value <value>', 'the same as --data')
      .option('--allow-pull-request', 'also give it to pull request builds')
      .option('--no-allow-pull-request')
      .option('--allow-push-on-pull-request', 'also give it to pull request builds that push images')
      .option('--no-allow-push-on-pull-request');
  }
  return withFormat(cmd);
}

/** Registers `hangar secret …`. */
export function registerSecret(program: Command): void {
  const secret = program.command('secret').description('repository secrets on a Hangar server');

  secretOptions(
    secret
      .command('ls')
      .description("list a repository's secrets (names and settings; never values)")
      .argument('[repo]', 'repository, OWNER/NAME'),
    false,
  ).action(async (slug: string | undefined, opts: SecretOptions) => {
    const format = outputFormat(opts);
    const list = ((await apiClient().request('GET', `${repoPath(repoOf(slug, opts))}/secrets`)) ??
      []) as SecretJson[];
    if (format === 'json') return printJson(list);
    printTable(
      ['NAME', 'PULL REQUESTS', 'PUSH ON PULL REQUESTS'],
      list.map((s) => [s.name, yesNo(s.pull_request), yesNo(s.pull_request_push)]),
      'no secrets',
    );
  });

  secretOptions(
    secret
      .command('add')
      .description('add a secret')
      .argument('[repo]', 'repository, OWNER/NAME')
      .argument('[name]', 'secret name'),
    true,
  ).action(async (slug: string | undefined, nameArg: string | undefined, opts: SecretOptions) => {
    const format = outputFormat(opts);
    const path = `${repoPath(repoOf(slug, opts))}/secrets`;
    const name = nameOf(nameArg, opts);
    const data = (await secretValue(opts, true)) as string;
    const res = (await apiClient().request('POST', path, {
      json: {
        name,
        data,
        pull_request: opts.allowPullRequest ?? false,
        pull_request_push: opts.allowPushOnPullRequest ?? false,
      },
    })) as SecretJson;
    if (format === 'json') return printJson(res);
    process.stdout.write(`added secret ${res.name}\n`);
  });

  secretOptions(
    secret
      .command('update')
      .description("change a secret's value or settings")
      .argument('[repo]', 'repository, OWNER/NAME')
      .argument('[name]', 'secret name'),
    true,
  ).action(async (slug: string | undefined, nameArg: string | undefined, opts: SecretOptions) => {
    const format = outputFormat(opts);
    const name = nameOf(nameArg, opts);
    const data = await secretValue(opts, false);
    const body: Record<string, unknown> = {};
    if (data !== undefined) body.data = data;
    if (opts.allowPullRequest !== undefined) body.pull_request = opts.allowPullRequest;
    if (opts.allowPushOnPullRequest !== undefined) body.pull_request_push = opts.allowPushOnPullRequest;
    if (Object.keys(body).length === 0)
      throw new UsageError('nothing to update: give --data or an --allow option');
    const path = `${repoPath(repoOf(slug, opts))}/secrets/${encodeURIComponent(name)}`;
    const res = (await apiClient().request('PATCH', path, { json: body })) as SecretJson;
    if (format === 'json') return printJson(res);
    process.stdout.write(`updated secret ${res.name}\n`);
  });

  secretOptions(
    secret
      .command('rm')
      .description('delete a secret')
      .argument('[repo]', 'repository, OWNER/NAME')
      .argument('[name]', 'secret name'),
    false,
  ).action(async (slug: string | undefined, nameArg: string | undefined, opts: SecretOptions) => {
    const format = outputFormat(opts);
    const name = nameOf(nameArg, opts);
    await apiClient().request(
      'DELETE',
      `${repoPath(repoOf(slug, opts))}/secrets/${encodeURIComponent(name)}`,
    );
    if (format === 'json') return printJson({ name, deleted: true });
    process.stdout.write(`deleted secret ${name}\n`);
  });
}
