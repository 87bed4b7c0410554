// Step rules of the runners (drone-runner-docker engine/linter, resource/parser.go): names present,
// short and unique (services first, then steps; `clone` is taken while cloning is on), an image for
// container runners, depends_on only on what is declared before, no cycles.
import type { Pipeline, Step } from '../manifest/types.js';
import { findCycles } from './graph.js';
import type { Report } from './report.js';

/** Resolves a step to its path in the document (`steps[3]`). */
export type PathOf = (step: Step, fallback: string) => string;

const IMAGE_TYPES = new Set(['docker', 'kubernetes']);

/** All steps and services in the order Drone's docker linter declares them. */
export function declarationOrder(p: Pipeline, pathOf: PathOf): Array<{ step: Step; path: string }> {
  return [
    ...p.services.map((step, i) => ({ step, path: pathOf(step, `services[${i}]`) })),
    ...p.steps.map((step, i) => ({ step, path: pathOf(step, `steps[${i}]`) })),
  ];
}

/** Checks step names, images and dependencies of one pipeline. */
export function lintSteps(p: Pipeline, pathOf: PathOf, r: Report): void {
  const doc = p.docIndex;
  const order = declarationOrder(p, pathOf);
  const all = new Set(order.map((o) => o.step.name));
  const cloning = !p.clone.disable;
  if (cloning) all.add('clone');
  const declared = new Set<string>(cloning ? ['clone'] : []);
  const needsImage = IMAGE_TYPES.has(p.type);

  for (const { step, path } of order) {
    const name = step.name;
    if (name === '') r.error('step-name-missing', doc, `${path}.name`, 'required');
    else {
      if (name.length > 100) {
        r.error(
          'step-name-too-long',
          doc,
          `${path}.name`,
          `must be at most 100 characters (it has ${name.length})`,
        );
      }
      if (declared.has(name)) {
        const text =
          name === 'clone' && cloning && order.filter((o) => o.step.name === 'clone')[0]?.step === step
            ? 'the name "clone" is taken by the clone step (rename the step or set clone.disable)'
            : `duplicate step name "${name}"`;
        r.error('duplicate-step', doc, `${path}.name`, text);
      }
      declared.add(name);
    }

    if (needsImage && step.image === '') r.error('missing-image', doc, `${path}.image`, 'required');

    step.depends_on.forEach((dep, i) => {
      const field = `${path}.depends_on[${i}]`;
      if (dep === name)
        r.error('step-dependency-self', doc, field, `cyclical step dependency detected: ${dep}`);
      else if (declared.has(dep)) return;
      else if (all.has(dep)) {
        r.error(
          'step-dependency-forward',
          doc,
          field,
          `${name} references ${dep}, which is declared later; a step can only depend on steps declared before it`,
        );
      } else
        r.error(
          'step-dependency-unknown',
          doc,
          field,
          `unknown step dependency detected: ${name} references ${dep}`,
        );
    });
  }

  const byName = new Map<string, { step: Step; path: string }>();
  for (const o of order) if (!byName.has(o.step.name)) byName.set(o.step.name, o);
  for (const cycle of findCycles(
    order.map((o) => o.step.name),
    (n) => byName.get(n)?.step.depends_on ?? [],
  )) {
    const first = byName.get(cycle[0]!)!;
    r.error(
      'step-dependency-cycle',
      doc,
      `${first.path}.depends_on`,
      `dependency cycle: ${cycle.join(' -> ')}`,
    );
  }
}
