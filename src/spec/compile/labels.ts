// Labels for a stage's engine resources: the facts Drone puts in its io.drone.* container labels,
// under Hangar's own io.hangar.* names, so that leftovers can be found and attributed.
import type { BuildContext } from '../context.js';

/** Stage-level labels; runner labels come first and cannot override Hangar's. */
export function stageLabels(
  ctx: BuildContext,
  stageId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    'io.hangar': 'true',
    'io.hangar.stage.id': stageId,
    'io.hangar.protected': String(ctx.repo.protected),
    'io.hangar.repo.namespace': ctx.repo.namespace,
    'io.hangar.repo.name': ctx.repo.name,
    'io.hangar.repo.slug': ctx.repo.slug,
    'io.hangar.build.number': String(ctx.build.number),
    'io.hangar.stage.name': ctx.stage.name,
    'io.hangar.stage.number': String(ctx.stage.number),
    'io.hangar.system.host': ctx.system.host,
    'io.hangar.system.proto': ctx.system.proto,
    'io.hangar.system.version': ctx.system.version,
  };
}
