// The step graph of a stage (drone-reference.md §4.7): with no `depends_on` anywhere the steps form a
// strict serial chain in plan order; otherwise each step waits for exactly the steps it names.

/** Dependencies of each step by name, or the reason the graph cannot run. */
export type StepGraph = { ok: true; deps: Map<string, string[]> } | { ok: false; error: string };

/** Builds and checks the graph: unique names, known dependencies, no cycles. */
export function stepGraph(steps: readonly { name: string; dependsOn: readonly string[] }[]): StepGraph {
  const deps = new Map<string, string[]>();
  for (const s of steps) {
    if (deps.has(s.name)) return { ok: false, error: `duplicate step name "${s.name}"` };
    deps.set(s.name, []);
  }
  const serial = steps.every((s) => s.dependsOn.length === 0);
  steps.forEach((s, i) => {
    if (serial) {
      if (i > 0) deps.set(s.name, [steps[i - 1]!.name]);
    } else {
      deps.set(s.name, [...new Set(s.dependsOn)]);
    }
  });
  for (const [name, ds] of deps) {
    for (const d of ds) {
      if (!deps.has(d)) return { ok: false, error: `step "${name}" depends on unknown step "${d}"` };
      if (d === name) return { ok: false, error: `step "${name}" depends on itself` };
    }
  }
  const cycle = findCycle(deps);
  if (cycle) return { ok: false, error: `dependency cycle: ${cycle.join(' → ')}` };
  return { ok: true, deps };
}

function findCycle(deps: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const st = state.get(n);
    if (st === 'done') return undefined;
    if (st === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of deps.keys()) {
    const c = visit(n);
    if (c) return c.reverse();
  }
  return undefined;
}
