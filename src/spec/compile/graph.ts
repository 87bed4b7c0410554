// The step graph of a stage (drone-reference.md §4.7, drone-runner-docker `util.go`): serial chain
// when nobody uses depends_on, else a DAG rooted at clone. Steps that `when` leaves out are dropped
// afterwards; whoever waited on them waits on what they waited on, which is when Drone's skipped
// vertex would have completed.
import { CLONE_STEP } from './clone.js';

export interface GraphNode {
  name: string;
  dependsOn: string[];
}

/** Applies Drone's dependency rules in place, given whether the stage has a clone step. */
export function configureGraph(nodes: GraphNode[], cloneEnabled: boolean): void {
  const isGraph = nodes.some((n) => n.dependsOn.length > 0);
  if (!isGraph) {
    for (let i = 1; i < nodes.length; i++) nodes[i]!.dependsOn = [nodes[i - 1]!.name];
    return;
  }
  if (cloneEnabled) {
    for (const n of nodes) if (n.name !== CLONE_STEP && n.dependsOn.length === 0) n.dependsOn = [CLONE_STEP];
    return;
  }
  if (nodes.some((n) => n.name === CLONE_STEP)) return;
  for (const n of nodes) if (n.dependsOn.length === 1 && n.dependsOn[0] === CLONE_STEP) n.dependsOn = [];
}

/**
 * Removes the named nodes, replacing each reference to a removed node by that node's own
 * (transitively resolved) dependencies. Order is kept, duplicates dropped.
 */
export function dropNodes<T extends GraphNode>(nodes: T[], drop: ReadonlySet<string>): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const resolve = (name: string, seen: Set<string>): string[] => {
    if (!drop.has(name)) return [name];
    if (seen.has(name)) return [];
    seen.add(name);
    return (byName.get(name)?.dependsOn ?? []).flatMap((d) => resolve(d, seen));
  };
  const kept = nodes.filter((n) => !drop.has(n.name));
  for (const n of kept) n.dependsOn = [...new Set(n.dependsOn.flatMap((d) => resolve(d, new Set())))];
  return kept;
}
