// `hangar log view OWNER/NAME BUILD STAGE STEP`: the log of one step through the server's API, as
// drone-cli's `drone log view` prints it (each line's text, in order). `--format json` gives the
// lines as the API answers them (`{pos, out, time}`).
import type { Command } from 'commander';
import { apiClient, parseNumber, repoPath } from '../api-client.js';
import { type FormatOptions, outputFormat, printJson, withFormat } from '../api-output.js';

interface LineJson {
  pos?: number;
  out?: string;
  time?: number;
}

/** Registers `hangar log …`. */
export function registerLog(program: Command): void {
  const log = program.command('log').description('step logs on a Hangar server');
  withFormat(
    log
      .command('view')
      .description('print the log of a step')
      .argument('<repo>', 'repository, OWNER/NAME')
      .argument('<build>', 'build number')
      .argument('<stage>', 'stage number')
      .argument('<step>', 'step number'),
  ).action(async (slug: string, build: string, stage: string, step: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const path = `${repoPath(slug)}/builds/${parseNumber(build, 'build')}/logs/${parseNumber(stage, 'stage')}/${parseNumber(step, 'step')}`;
    const lines = ((await apiClient().request('GET', path)) ?? []) as LineJson[];
    if (format === 'json') return printJson(lines);
    // The log is the step's own output, escape sequences (colours) included, as drone-cli prints it.
    for (const line of lines) process.stdout.write(line.out ?? '');
  });
}
