import type { Command } from 'commander';
import { planBuild } from '../../spec/build-plan.js';
import { formatDiagnostic } from '../../spec/diagnostic.js';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { addBuildFlags, type BuildFlags, contextFromFlags } from '../build-flags.js';
import { yamlConfig } from '../jsonnet-config.js';
import { readConfig } from '../read-config.js';

/** One step as `hangar plan --json` prints it (documented in the README). */
interface JsonStep {
  name: string;
  image: string;
  run: string;
  failure: string;
  depends_on: string[];
  detach: boolean;
  service: boolean;
  commands: string[];
  environment: Record<string, string>;
}

function jsonStep(plan: Plan, s: PlanStep): JsonStep {
  const environment: Record<string, string> = { ...plan.environment, ...s.environment };
  // The script variable repeats `commands`; secrets show by name, never by value.
  delete environment.DRONE_SCRIPT;
  for (const ref of s.secrets) environment[ref.env] = `<secret:${ref.name}>`;
  return {
    name: s.name,
    image: s.image,
    run: s.runPolicy,
    failure: s.errPolicy,
    depends_on: s.dependsOn,
    detach: s.detach,
    service: s.service,
    commands: s.commands,
    environment: Object.fromEntries(Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

function textPlan(write: (s: string) => void, name: string, plan: Plan): void {
  for (const s of plan.steps) {
    const deps = s.dependsOn.length > 0 ? `  after ${s.dependsOn.join(', ')}` : '';
    const what = s.service ? 'service' : s.detach ? 'detached' : 'step';
    write(`  - ${s.name} [${what}] ${s.image || '(host)'}  run ${s.runPolicy}${deps}\n`);
    for (const c of s.commands) write(`      $ ${c}\n`);
  }
  if (plan.steps.length === 0) write(`  (no steps of ${name} run for this build)\n`);
}

/** `hangar plan`: the stages and steps that would run for an event. */
export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('show the stages and steps that would run for a build of this configuration')
    .argument('[file]', 'configuration file (.jsonnet files are evaluated first)', '.drone.yml')
    .option('--json', 'print one JSON object (format in the README)', false);
  addBuildFlags(cmd, true).action(async (path: string, flags: BuildFlags & { json: boolean }) => {
    const ctx = contextFromFlags(flags, process.cwd());
    const { text, label: file } = await yamlConfig(path, await readConfig(path), ctx);
    const { outline, plans } = planBuild(text, ctx, { file, trusted: flags.trusted ?? false, compile: {} });
    // Build-level diagnostics, then each stage's own (trust rules) without repeating a line.
    const diagnostics = [...outline.diagnostics];
    const seen = new Set(diagnostics.map((d) => `${d.line}:${d.col}:${d.message}`));
    for (const r of plans.values()) {
      for (const d of r.diagnostics) {
        const key = `${d.line}:${d.col}:${d.message}`;
        if (!seen.has(key)) diagnostics.push(d);
        seen.add(key);
      }
    }
    diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (flags.json) {
      const stages = outline.stages.map((s) => {
        const r = plans.get(s.name);
        return {
          name: s.name,
          number: s.number,
          type: s.type,
          status: s.status,
          depends_on: s.dependsOn,
          on_success: s.onSuccess,
          on_failure: s.onFailure,
          platform: s.pipeline.platform,
          ...(r && 'plan' in r ? { steps: r.plan.steps.map((st) => jsonStep(r.plan, st)) } : { steps: [], error: r?.error ?? 'not compiled' }),
        };
      });
      const out = {
        event: ctx.build.event,
        branch: ctx.build.target,
        ref: ctx.build.ref,
        stages,
        skipped: outline.skipped,
        ...(outline.error ? { error: outline.error } : {}),
        diagnostics: diagnostics.map((d) => ({ ...d, file })),
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
      if (outline.error && errors.length === 0) process.stderr.write(`${file}: ${outline.error}\n`);
      const w = (s: string) => process.stdout.write(s);
      if (!outline.error && outline.stages.length === 0) w('no pipeline matches this build: nothing would run\n');
      for (const s of outline.stages) {
        const deps = s.dependsOn.length > 0 ? ` (after ${s.dependsOn.join(', ')})` : '';
        w(`stage ${s.number}: ${s.name} [${s.type}]${deps}\n`);
        const r = plans.get(s.name);
        if (r && 'plan' in r) textPlan(w, s.name, r.plan);
        else w(`  error: ${r?.error ?? 'not compiled'}\n`);
      }
      if (outline.skipped.length > 0) w(`skipped by trigger: ${outline.skipped.join(', ')}\n`);
    }
    const stageErrors = [...plans.values()].some((r) => 'error' in r);
    if (outline.error || stageErrors) process.exitCode = 1;
  });
}
