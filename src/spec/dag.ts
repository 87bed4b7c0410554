// Dependency graphs. The pipeline level follows Drone's trigger/dag (drone-reference.md §1.2): a stage
// that depends on a pipeline filtered out by `trigger` inherits that pipeline's own dependencies,
// transitively, and any cycle — through skipped pipelines too — fails the build. Dependencies on
// names that are not declared are ignored here (the linter reports them).

/** A dependency cycle; `cycle` lists the names along it, first name repeated at the end. */
export class DependencyCycleError extends Error {
  override readonly name = 'DependencyCycleError';
  constructor(
    readonly cycle: readonly string[],
    message = 'Dependency cycle detected in Pipeline',
  ) {
    super(message);
  }
}

/** Name → the names it depends on, in declaration order. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** One cycle of the graph (e.g. `['a', 'b', 'a']`), found in declaration order, or undefined. */
export function findCycle(graph: DependencyGraph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    // Iterative depth-first search: the path is the stack of open vertices.
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top]!;
      const deps = graph.get(name) ?? [];
      const i = next[top]!;
      if (i >= deps.length) {
        state.set(name, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const dep = deps[i]!;
      if (!graph.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'open') return [...path.slice(path.indexOf(dep)), dep];
      if (s === 'done') continue;
      state.set(dep, 'open');
      path.push(dep);
      next.push(0);
    }
  }
  return undefined;
}

/**
 * Every name after all of its dependencies; otherwise in declaration order (depth-first). Throws
 * DependencyCycleError naming the cycle.
 */
export function topoOrder(graph: DependencyGraph): string[] {
  const cycle = findCycle(graph);
  if (cycle) throw new DependencyCycleError(cycle, `Dependency cycle detected: ${cycle.join(' -> ')}`);
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of graph.keys()) {
    if (seen.has(root)) continue;
    seen.add(root);
    // Iterative post-order, so that long chains cannot exhaust the stack.
    const stack: Array<[string, number]> = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = graph.get(top[0]) ?? [];
      if (top[1] >= deps.length) {
        order.push(top[0]);
        stack.pop();
        continue;
      }
      const dep = deps[top[1]++]!;
      if (graph.has(dep) && !seen.has(dep)) {
        seen.add(dep);
        stack.push([dep, 0]);
      }
    }
  }
  return order;
}

interface Vertex {
  deps: readonly string[];
  skip: boolean;
}

/** Drone's pipeline DAG: vertices with dependencies, some of them skipped by `trigger`. */
export class PipelineDag {
  private readonly vertices = new Map<string, Vertex>();

  /** Adds (or replaces) a pipeline. */
  add(name: string, dependsOn: readonly string[] = [], skip = false): this {
    this.vertices.set(name, { deps: [...dependsOn], skip });
    return this;
  }

  /** Marks a pipeline as filtered out (or back in). */
  setSkipped(name: string, skip = true): this {
    const v = this.vertices.get(name);
    if (v) v.skip = skip;
    return this;
  }

  /** The graph as name → declared dependencies. */
  graph(): DependencyGraph {
    return new Map([...this.vertices].map(([name, v]) => [name, v.deps]));
  }

  /** True when the declared dependencies contain a cycle, skipped pipelines included. */
  hasCycle(): boolean {
    return findCycle(this.graph()) !== undefined;
  }

  /**
   * The direct dependencies of a pipeline with every skipped one replaced by its own dependencies,
   * transitively; undeclared names are dropped, duplicates kept once, in Drone's order.
   */
  dependencies(name: string): string[] {
    const out = new Set<string>();
    const expanding = new Set<string>();
    const walk = (deps: readonly string[]): void => {
      for (const dep of deps) {
        const v = this.vertices.get(dep);
        if (!v) continue;
        if (!v.skip) {
          out.add(dep);
        } else if (!expanding.has(dep)) {
          // A cycle through skipped pipelines would loop forever; the guard keeps this total.
          expanding.add(dep);
          walk(v.deps);
          expanding.delete(dep);
        }
      }
    };
    walk(this.vertices.get(name)?.deps ?? []);
    return [...out];
  }

  /** Every non-skipped pipeline this one waits for, directly or not (never itself, unless in a cycle). */
  ancestors(name: string): string[] {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (deps: readonly string[]): void => {
      for (const dep of deps) {
        const v = this.vertices.get(dep);
        if (!v || seen.has(dep)) continue;
        seen.add(dep);
        if (!v.skip) out.add(dep);
        walk(v.deps);
      }
    };
    walk(this.vertices.get(name)?.deps ?? []);
    return [...out];
  }
}

/** A pipeline as the trigger sees it: its name, `depends_on`, and whether `trigger` filtered it out. */
export interface PipelineNode {
  name: string;
  dependsOn: readonly string[];
  skipped: boolean;
}

/**
 * The rewired `depends_on` of every pipeline that was not skipped, in input order. A stage whose list
 * is empty starts `pending`; the others wait. Throws DependencyCycleError ("Dependency cycle detected
 * in Pipeline") when the declared graph has a cycle.
 */
export function stageDependencies(pipelines: readonly PipelineNode[]): Map<string, string[]> {
  const dag = new PipelineDag();
  for (const p of pipelines) dag.add(p.name, p.dependsOn, p.skipped);
  const cycle = findCycle(dag.graph());
  if (cycle) throw new DependencyCycleError(cycle);
  const out = new Map<string, string[]>();
  for (const p of pipelines) if (!p.skipped) out.set(p.name, dag.dependencies(p.name));
  return out;
}
