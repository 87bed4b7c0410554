// UI events (drone-reference.md §5.11): after a build, stage or step changes, subscribers of
// `/api/stream` get the repo JSON with that build, its stages and their steps — read from the
// database once per change per replica, however many browsers listen. Changes in quick succession
// (a runner reporting several steps) are folded into one message per build.
import { buildWithStagesJson } from '../http/api/builds-present.js';
import { repoJson } from '../http/api/present.js';
import type { Repo } from '../store/models.js';
import { findBuild } from '../store/queries/builds.js';
import { findRepo } from '../store/queries/repos.js';
import { listStagesOfBuild } from '../store/queries/stages.js';
import { listStepsOfStages } from '../store/queries/steps.js';
import type { Db } from '../store/schema.js';
import type { EventBus } from './bus.js';

/** One UI event: the repo it concerns and the JSON to send. */
export interface BuildMessage {
  repo: Repo;
  data: string;
}

/** A listener; it decides itself whether its client may see `repo`. */
export type BuildListener = (message: BuildMessage) => void;

export class BuildEvents {
  private readonly listeners = new Set<BuildListener>();
  private readonly pending = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly off: () => void;

  constructor(
    private readonly db: Db,
    bus: EventBus,
    /** How long changes are collected before one message goes out (default 50 ms). */
    private readonly foldMs = 50,
    private readonly log?: { warn(obj: object, msg: string): void },
  ) {
    this.off = bus.on('build', (e) => {
      if (this.listeners.size === 0) return;
      this.pending.set(e.build, e.repo);
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.foldMs);
        this.timer.unref();
      }
    });
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: BuildListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const builds = [...this.pending.keys()];
    this.pending.clear();
    for (const id of builds) {
      try {
        const message = await this.message(id);
        if (!message) continue;
        for (const listener of [...this.listeners]) listener(message);
      } catch (err) {
        this.log?.warn({ build: id, err: (err as Error).message }, 'events: cannot load a changed build');
      }
    }
  }

  private async message(buildId: number): Promise<BuildMessage | undefined> {
    const build = await findBuild(this.db, buildId);
    if (!build) return undefined;
    const repo = await findRepo(this.db, build.repo_id);
    if (!repo) return undefined;
    const stages = await listStagesOfBuild(this.db, build.id);
    const steps = await listStepsOfStages(
      this.db,
      stages.map((s) => s.id),
    );
    const data = JSON.stringify({ ...repoJson(repo), build: buildWithStagesJson(build, stages, steps) });
    return { repo, data };
  }
}
