// Dependency cycles among named nodes (steps of a pipeline, pipelines of a file).

/**
 * Finds dependency cycles. `order` lists the nodes (first occurrence wins for duplicated names),
 * `deps` gives each node's dependencies; unknown names and self-dependencies are ignored (they have
 * their own rules). Each cycle is returned once, starting at its earliest node in `order`, e.g.
 * `['a', 'b', 'a']`.
 */
export function findCycles(order: readonly string[], deps: (name: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  for (const n of order) if (!index.has(n)) index.set(n, index.size);
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const path: string[] = [];

  const visit = (start: string): void => {
    // Iterative depth-first search: hostile files can chain thousands of steps.
    const stack: Array<{ name: string; next: number; edges: readonly string[] }> = [];
    const push = (name: string) => {
      state.set(name, 1);
      path.push(name);
      stack.push({ name, next: 0, edges: deps(name) });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.edges.length) {
        state.set(top.name, 2);
        path.pop();
        stack.pop();
        continue;
      }
      const dep = top.edges[top.next++]!;
      if (dep === top.name || !index.has(dep)) continue;
      const s = state.get(dep);
      if (s === undefined) push(dep);
      else if (s === 1) {
        const cycle = path.slice(path.lastIndexOf(dep));
        let first = 0;
        for (let i = 1; i < cycle.length; i++)
          if (index.get(cycle[i]!)! < index.get(cycle[first]!)!) first = i;
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        const key = rotated.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
      }
    }
  };
  for (const n of index.keys()) if (!state.has(n)) visit(n);
  return cycles;
}
