// A build's stages as a graph: one box per stage, placed by lib/graph.ts, with an arrow from each
// stage it depends on. Boxes are buttons (keyboard reachable); the graph scrolls sideways on phones.
import { useMemo } from 'react';
import { elapsed, formatDuration } from '../lib/format.js';
import { layoutStages } from '../lib/graph.js';
import type { Stage } from '../lib/types.js';
import { StatusBadge } from './status.js';

const W = 190;
const H = 40;
const GX = 48;
const GY = 14;

/** The stage graph; `onSelect` gets the stage number. */
export function StageGraph({
  stages,
  selected,
  onSelect,
  now,
}: {
  stages: readonly Stage[];
  selected: number | undefined;
  onSelect: (stage: number) => void;
  now: number;
}) {
  const layout = useMemo(() => layoutStages(stages), [stages]);
  const at = new Map(layout.nodes.map((n) => [n.name, n]));
  const width = layout.cols * W + Math.max(0, layout.cols - 1) * GX;
  const height = layout.rows * H + Math.max(0, layout.rows - 1) * GY;
  const x = (col: number) => col * (W + GX);
  const y = (row: number) => row * (H + GY);

  return (
    <div className="panel graph-wrap">
      <section className="graph" style={{ width, height }} aria-label="Stages">
        <svg width={width} height={height} aria-hidden="true">
          {layout.edges.map((e) => {
            const a = at.get(e.from);
            const b = at.get(e.to);
            if (!a || !b) return null;
            const x1 = x(a.col) + W;
            const y1 = y(a.row) + H / 2;
            const x2 = x(b.col);
            const y2 = y(b.row) + H / 2;
            const mid = (x1 + x2) / 2;
            return (
              <path key={`${e.from}->${e.to}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} />
            );
          })}
        </svg>
        {layout.nodes.map((n) => {
          const stage = stages.find((s) => s.number === n.number);
          if (!stage) return null;
          const took = elapsed(stage.started, stage.stopped, now);
          return (
            <button
              type="button"
              key={n.number}
              className={`node${selected === n.number ? ' selected' : ''}`}
              style={{ left: x(n.col), top: y(n.row), width: W, height: H }}
              onClick={() => onSelect(n.number)}
              // Chromium leaves a half-hidden stage where it is when Tab focuses it; bring all of it,
              // focus ring included (the wrapper's scroll-padding), into the sideways-scrolling view.
              onFocus={(e) => e.currentTarget.scrollIntoView({ block: 'nearest', inline: 'nearest' })}
              aria-pressed={selected === n.number}
              data-testid="stage-node"
              data-stage={stage.name}
            >
              <StatusBadge status={stage.status} compact />
              <span className="name">{stage.name}</span>
              {took !== undefined && <span className="small muted">{formatDuration(took)}</span>}
            </button>
          );
        })}
      </section>
    </div>
  );
}
