import type { Command } from 'commander';
import { checkConfig } from '../../spec/check.js';
import { formatDiagnostic, hasErrors } from '../../spec/diagnostic.js';
import { contextFromFlags } from '../build-flags.js';
import { yamlConfig } from '../jsonnet-config.js';
import { readConfig } from '../read-config.js';

/** `hangar lint [FILE] [--trusted]`: one `file:line:col: message` line per problem. */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check a pipeline file: syntax, fields, and the linter rules (exit 1 on errors)')
    .argument('[file]', 'configuration file (.jsonnet files are evaluated first)', '.drone.yml')
    .option('--trusted', 'lint as a trusted repository (allows privileged, host volumes, …)', false)
    .action(async (file: string, opts: { trusted: boolean }) => {
      const { text, label } = await yamlConfig(
        file,
        await readConfig(file),
        contextFromFlags({}, process.cwd()),
      );
      const { diagnostics } = checkConfig(text, { file: label, trusted: opts.trusted });
      for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(label, d)}\n`);
      if (hasErrors(diagnostics)) process.exitCode = 1;
    });
}
