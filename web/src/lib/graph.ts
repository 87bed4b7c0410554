// Layout of a build's stages as a graph (pipeline `depends_on`): each stage goes in the column
// after the deepest stage it depends on, so every edge points right; within a column stages are
// ordered by the rows of their parents (fewer crossing edges), then by stage number.

/** What the layout needs of a stage. */
export interface GraphInput {
  name: string;
  number: number;
  depends_on?: string[];
}

export interface GraphNode {
  name: string;
  number: number;
  col: number;
  row: number;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  cols: number;
  rows: number;
}

/** Places stages in columns by dependency depth. Unknown dependencies are ignored; cycles are cut. */
export function layoutStages(stages: readonly GraphInput[]): GraphLayout {
  const byName = new Map<string, GraphInput>();
  for (const s of stages) if (!byName.has(s.name)) byName.set(s.name, s);
  const unique = [...byName.values()].sort((a, b) => a.number - b.number);

  const edges: GraphEdge[] = [];
  for (const s of unique) {
    for (const dep of new Set(s.depends_on ?? [])) {
      if (byName.has(dep) && dep !== s.name) edges.push({ from: dep, to: s.name });
    }
  }

  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    // A cycle (the server rejects them, but never loop forever on bad data).
    if (visiting.has(name)) return 0;
    visiting.add(name);
    let d = 0;
    for (const dep of byName.get(name)?.depends_on ?? []) {
      if (byName.has(dep) && dep !== name) d = Math.max(d, depthOf(dep) + 1);
    }
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const s of unique) depthOf(s.name);

  const cols = unique.length === 0 ? 0 : Math.max(...unique.map((s) => depth.get(s.name) ?? 0)) + 1;
  const rowOf = new Map<string, number>();
  const nodes: GraphNode[] = [];
  let rows = 0;
  for (let col = 0; col < cols; col++) {
    const inCol = unique.filter((s) => depth.get(s.name) === col);
    const weight = (s: GraphInput) => {
      const parents = (s.depends_on ?? []).map((d) => rowOf.get(d)).filter((r) => r !== undefined);
      return parents.length === 0
        ? Number.POSITIVE_INFINITY
        : parents.reduce((a, b) => a + b, 0) / parents.length;
    };
    inCol.sort((a, b) => {
      const wa = weight(a);
      const wb = weight(b);
      if (wa !== wb) return wa < wb ? -1 : 1;
      return a.number - b.number;
    });
    inCol.forEach((s, row) => {
      rowOf.set(s.name, row);
      nodes.push({ name: s.name, number: s.number, col, row });
    });
    rows = Math.max(rows, inCol.length);
  }
  return { nodes, edges, cols, rows };
}
