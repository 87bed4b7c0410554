// The `hangar` command. Exit codes: 0 success, 1 the thing checked or run failed, 2 usage or
// configuration errors. Errors a user can cause are printed as one clear line, never a stack trace.
import { Command, CommanderError } from 'commander';
import { registerBuild } from './commands/build.js';
import { registerCron } from './commands/cron.js';
import { registerExec } from './commands/exec.js';
import { registerLint } from './commands/lint.js';
import { registerLog } from './commands/log.js';
import { registerPlan } from './commands/plan.js';
import { registerRepo } from './commands/repo.js';
import { registerRunner } from './commands/runner.js';
import { registerSecret } from './commands/secret.js';
import { registerServer } from './commands/server.js';
import { UsageError } from './errors.js';

// A reader that stops early (`hangar plan | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command('hangar')
  .description('Hangar: container-native CI/CD, compatible with Drone')
  .version(process.env.npm_package_version ?? '0.1.0', '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerLint(program);
registerPlan(program);
registerExec(program);
registerServer(program);
registerRunner(program);
registerRepo(program);
registerBuild(program);
registerLog(program);
registerSecret(program);
registerCron(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version requests end with exit 0; every other commander error is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof UsageError) {
    process.stderr.write(`hangar: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`hangar: ${msg}\n`);
    if (process.env.HANGAR_DEBUG) console.error(err);
    process.exitCode = 1;
  }
}
