import type { Command } from 'commander';
import { checkConfig } from '../../spec/check.js';
import { formatDiagnostic, hasErrors } from '../../spec/diagnostic.js';
import { readConfig } from '../read-config.js';

/** `hangar lint [FILE] [--trusted]`: one `file:line:col: message` line per problem. */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check a pipeline file: syntax, fields, and the linter rules (exit 1 on errors)')
    .argument('[file]', 'configuration file', '.drone.yml')
    .option('--trusted', 'lint as a trusted repository (allows privileged, host volumes, …)', false)
    .action(async (file: string, opts: { trusted: boolean }) => {
      const text = await readConfig(file);
      const { diagnostics } = checkConfig(text, { file, trusted: opts.trusted });
      for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(file, d)}\n`);
      if (hasErrors(diagnostics)) process.exitCode = 1;
    });
}
