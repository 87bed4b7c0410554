// Drone's linter (drone-reference.md §3.7) over a parsed manifest: the server's file-level rules and
// the runners' pipeline rules, all reported at once instead of Drone's first-error-only.
import type { Diagnostic } from '../diagnostic.js';
import type { Manifest, Pipeline } from '../manifest/types.js';
import { lintPipelines, lintPlatform } from './pipelines.js';
import { Report } from './report.js';
import { lintSteps, type PathOf } from './steps.js';
import { lintTrusted } from './trusted.js';
import { lintVolumes, type VolumePathOf } from './volumes.js';

export { LINT_RULES, type LintRule } from './report.js';

export interface LintOptions {
  /** A trusted repository may use privileged mode, host volumes, devices, … */
  trusted: boolean;
  /**
   * Where a step, service or volume object sits in its document (`steps[3]`); from parseConfig.
   * Without it, paths are the objects' indexes in the manifest.
   */
  pathOf?: (obj: object) => string | undefined;
}

// Types run in containers by Hangar or by Drone's container runners, where the container rules apply.
const CONTAINER_TYPES = new Set(['docker', 'kubernetes']);

/** Lints a manifest; diagnostics carry a field path and document index, positions are left at 0. */
export function lintManifest(manifest: Manifest, opts: LintOptions): Diagnostic[] {
  const r = new Report();
  const located = opts.pathOf;
  const pathOf: PathOf = (step, fallback) => located?.(step) ?? fallback;
  const volPathOf: VolumePathOf = (v, fallback) => located?.(v) ?? fallback;
  const pipelines = manifest.resources.filter((x): x is Pipeline => x.kind === 'pipeline');
  lintPipelines(pipelines, r);
  for (const p of pipelines) {
    lintPlatform(p, r);
    lintSteps(p, pathOf, r);
    if (CONTAINER_TYPES.has(p.type)) {
      lintVolumes(p, opts.trusted, pathOf, volPathOf, r);
      if (!opts.trusted) lintTrusted(p, pathOf, r);
    }
  }
  return r.diagnostics;
}
