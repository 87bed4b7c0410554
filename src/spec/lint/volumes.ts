// Volume rules of the container runners: reserved and missing names, nothing mounted under
// /run/drone (the runner's own files), mounts only of declared volumes, and the volume kinds that
// reach into the host (or the cluster) only for trusted repositories.
import { posix } from 'node:path';
import type { Pipeline, PipelineVolume } from '../manifest/types.js';
import type { Report } from './report.js';
import { declarationOrder, type PathOf } from './steps.js';

const RESERVED = new Set(['workspace', '_workspace', '_docker_socket']);
// The kubernetes runner also uses these internally.
const RESERVED_KUBE = new Set([...RESERVED, '_status', '_addons']);

const OTHER_TRUST: Record<string, string> = {
  claim: 'untrusted repositories cannot mount PVC',
  config_map: 'untrusted repositories cannot mount configMap volumes',
  secret: 'untrusted repositories cannot mount secret volumes',
  downward_api: 'untrusted repositories cannot mount downwardAPI volumes',
};

/** Resolves a pipeline volume to its path in the document (`volumes[1]`). */
export type VolumePathOf = (v: PipelineVolume, fallback: string) => string;

/** Checks a docker or kubernetes pipeline's volumes and mounts. */
export function lintVolumes(
  p: Pipeline,
  trusted: boolean,
  pathOf: PathOf,
  volPathOf: VolumePathOf,
  r: Report,
): void {
  const doc = p.docIndex;
  const reserved = p.type === 'kubernetes' ? RESERVED_KUBE : RESERVED;
  const declared = new Set<string>();
  p.volumes.forEach((v, i) => {
    const path = volPathOf(v, `volumes[${i}]`);
    if (v.name === '') r.error('volume-name-missing', doc, `${path}.name`, 'required');
    else if (reserved.has(v.name))
      r.error('volume-name-reserved', doc, `${path}.name`, `invalid volume name: ${v.name} (reserved)`);
    declared.add(v.name);
    if (trusted) return;
    if ('host' in v)
      r.error(
        'untrusted-host-volume',
        doc,
        `${path}.host`,
        'untrusted repositories cannot mount host volumes',
      );
    else if ('temp' in v && v.temp.medium === 'memory') {
      r.error(
        'untrusted-memory-volume',
        doc,
        `${path}.temp.medium`,
        'untrusted repositories cannot mount in-memory volumes',
      );
    } else if ('other' in v && OTHER_TRUST[v.other]) {
      r.error('untrusted-volume', doc, `${path}.${v.other}`, OTHER_TRUST[v.other]!);
    }
  });

  for (const { step, path } of declarationOrder(p, pathOf)) {
    step.volumes.forEach((m, i) => {
      const field = `${path}.volumes[${i}]`;
      if (reserved.has(m.name))
        r.error('volume-name-reserved', doc, `${field}.name`, `invalid volume name: ${m.name} (reserved)`);
      else if (!declared.has(m.name)) {
        r.warn(
          'volume-undeclared',
          doc,
          `${field}.name`,
          `unknown volume "${m.name}"; the mount is ignored (declare it in the pipeline's volumes)`,
        );
      }
      if (posix.normalize(m.path).startsWith('/run/drone')) {
        r.error('volume-path-restricted', doc, `${field}.path`, 'cannot mount volume at /run/drone');
      }
    });
    step.devices.forEach((m, i) => {
      if (!declared.has(m.name)) {
        const field = `${path}.devices[${i}].name`;
        r.warn(
          'volume-undeclared',
          doc,
          field,
          `unknown volume "${m.name}"; the device is ignored (declare it in the pipeline's volumes)`,
        );
      }
    });
  }
}
