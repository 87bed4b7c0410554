import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { execa } from 'execa';
import { DockerEngine } from '../../engine/docker/index.js';
import type { CloneSource, Engine, RegistryCredential } from '../../engine/engine.js';
import { ExecEngine } from '../../engine/exec/index.js';
import {
  type DockerRunnerSettings,
  dockerCompileOptions,
  dockerConfigPath,
  dockerSettingNames,
  readDockerRunnerSettings,
  readEnvFile,
  readRegistries,
  SettingsError,
} from '../../runner/daemon/index.js';
import { runLocal } from '../../runner/local.js';
import { formatDiagnostic } from '../../spec/diagnostic.js';
import { addBuildFlags, type BuildFlags, contextFromFlags } from '../build-flags.js';
import { UsageError } from '../errors.js';
import { yamlConfig } from '../jsonnet-config.js';
import { readConfig } from '../read-config.js';
import { ExecOutput, type StepSummary } from '../render/exec-output.js';

interface ExecFlags extends BuildFlags {
  pipeline?: string;
  include?: string[];
  exclude?: string[];
  secret?: string[];
  secretFile?: string;
  env?: string[];
  clone: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} must be KEY=VALUE, got "${kv.split('=')[0]}…"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Reads KEY=VALUE lines (blank lines and # comments ignored; values may be quoted). */
async function readSecretFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read secret file ${file}`);
  }
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new UsageError(`${file}:${i + 1}: expected KEY=VALUE`);
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out[line.slice(0, eq).trim()] = value;
  });
  return out;
}

/** The current branch and commit when the working directory is a git repository. */
async function gitState(cwd: string): Promise<{ branch?: string; commit?: string }> {
  const git = (args: string[]) => execa('git', args, { cwd, reject: false }).then((r) => (r.exitCode === 0 ? r.stdout.trim() : ''));
  const [branch, commit] = await Promise.all([git(['rev-parse', '--abbrev-ref', 'HEAD']), git(['rev-parse', 'HEAD'])]);
  return { branch: branch && branch !== 'HEAD' ? branch : undefined, commit: commit || undefined };
}

/**
 * The docker runner settings `hangar exec` honours as `hangar runner` does (networks, volumes,
 * resource limits, env file, netrc, clone and privileged images, registry credentials).
 */
async function readRunnerEnvironment(): Promise<{
  docker: DockerRunnerSettings;
  envFile: Record<string, string>;
  registries: RegistryCredential[];
}> {
  try {
    const docker = readDockerRunnerSettings(process.env);
    const envFile = await readEnvFile(docker.envFile);
    const registries = await readRegistries(dockerConfigPath(process.env));
    return { docker, envFile, registries };
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message);
    throw e;
  }
}

/** `hangar exec`: runs a pipeline on this machine, like `drone exec`. */
export function registerExec(program: Command): void {
  const cmd = program
    .command('exec')
    .description('run a pipeline locally on the Docker engine (or as host processes for type: exec)')
    .argument('[file]', 'configuration file (.jsonnet files are evaluated first)', '.drone.yml')
    .option('--pipeline <name>', 'run only this pipeline')
    .option('--include <step>', 'run only these steps (repeatable)', collect)
    .option('--exclude <step>', 'skip these steps (repeatable)', collect)
    .option('--secret <key=value>', 'a secret for from_secret (repeatable)', collect)
    .option('--secret-file <file>', 'secrets as KEY=VALUE lines')
    .option('--env <key=value>', 'a variable for every step and for VAR substitution (repeatable)', collect)
    .option('--clone', 'clone the committed state with git instead of copying the working directory', false)
    .addHelpText(
      'after',
      `\nDocker runner settings, from variables as for \`hangar runner\` (Drone names in brackets):\n${dockerSettingNames()
        .map((n) => `  ${n.env}${n.aliases.length > 0 ? ` (${n.aliases.join(', ')})` : ''}`)
        .join('\n')}\n  HANGAR_DOCKER_CONFIG (DRONE_DOCKER_CONFIG)`,
    );
  addBuildFlags(cmd, false).action(async (path: string, flags: ExecFlags) => {
    const cwd = process.cwd();
    const source = await readConfig(path);
    const git = await gitState(cwd);
    const ctx = contextFromFlags({ ...flags, branch: flags.branch ?? git.branch, commit: flags.commit ?? git.commit }, cwd);
    const { text, label: file } = await yamlConfig(path, source, ctx);
    const secrets = { ...(flags.secretFile ? await readSecretFile(flags.secretFile) : {}), ...keyValues(flags.secret, '--secret') };
    const runner = await readRunnerEnvironment();
    const environ = { ...runner.envFile, ...keyValues(flags.env, '--env') };
    if (flags.clone && !git.commit) throw new UsageError('--clone needs a git repository with at least one commit');
    const clone: CloneSource = flags.clone
      ? { remote: cwd, ref: ctx.build.ref, commit: ctx.build.after, branch: ctx.build.target }
      : { remote: cwd, ref: ctx.build.ref, commit: '', branch: ctx.build.target, copy: true };

    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const out = new ExecOutput((s) => process.stdout.write(s), color);
    const engines = new Map<string, Engine>();
    const engineFor = (type: string): Engine | undefined => {
      if (type !== 'docker' && type !== 'exec') return undefined;
      let e = engines.get(type);
      if (!e) {
        e = type === 'docker' ? new DockerEngine({ socketPath: process.env.DOCKER_SOCKET }) : new ExecEngine();
        engines.set(type, e);
      }
      return e;
    };

    // Ctrl-C cancels: running steps are stopped, everything created is removed. A second Ctrl-C quits.
    const abort = new AbortController();
    let interrupts = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : sig}: cancelling, cleaning up (again to quit now)\n`);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const started = new Map<string, number>();
    const rows: StepSummary[] = [];
    const result = await runLocal({
      text,
      file,
      ctx,
      trusted: flags.trusted ?? false,
      pipeline: flags.pipeline,
      include: flags.include,
      exclude: flags.exclude,
      secrets,
      environ,
      compile: dockerCompileOptions(runner.docker),
      registries: runner.registries,
      clone,
      engineFor,
      runId: `exec-${randomBytes(4).toString('hex')}`,
      signal: abort.signal,
      onStageStart: (stage, plan) => {
        process.stdout.write(`${color ? '\x1b[1m' : ''}== ${stage.name} ==${color ? '\x1b[0m' : ''}\n`);
        out.steps(plan.steps.map((s) => s.name));
      },
      onStageSkipped: (stage, why) => process.stdout.write(`== ${stage.name} == skipped: ${why}\n`),
      hooks: {
        onStepStart: (step) => {
          started.set(step.name, Date.now());
          out.stepStart(step.name);
        },
        onLine: (step, line) => out.line(step.name, line.out),
        onStepEnd: (step, o) => {
          const t0 = started.get(step.name);
          const row = { name: step.name, status: o.status, exitCode: o.exitCode, durationMs: t0 ? Date.now() - t0 : 0 };
          rows.push(row);
          if (o.status !== 'skipped') out.stepEnd(row);
          if (o.error) process.stdout.write(`[${step.name}] ${o.error}\n`);
        },
      },
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);

    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
    if (result.kind === 'config-error') {
      process.stderr.write(`hangar exec: ${result.message}\n`);
      process.exitCode = 2;
      return;
    }
    const failed = result.stages.find((s) => ['failure', 'error', 'killed'].includes(s.status));
    const overall = abort.signal.aborted ? 'killed' : failed ? failed.status : 'success';
    const errors = result.stages.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`);
    out.summary(rows, overall, errors.join('; ') || undefined);
    const configError = result.stages.some((s) => s.status === 'error' && !s.result);
    process.exitCode = overall === 'success' ? 0 : configError ? 2 : abort.signal.aborted ? 130 : 1;
  });
}
