// File-level rules, the ones Drone's server applies at build creation (drone-yaml linter/config.go):
// unique pipeline names, depends_on only on pipelines declared earlier, platform values.
import type { Pipeline } from '../manifest/types.js';
import { findCycles } from './graph.js';
import type { Report } from './report.js';

const OS = new Set(['linux', 'windows']);
const ARCH = new Set(['arm', 'arm64', 'amd64', 'ppc64le', 's390x']);

/** Checks names and dependencies across the file's pipelines. */
export function lintPipelines(pipelines: readonly Pipeline[], r: Report): void {
  const all = new Set(pipelines.map((p) => p.name));
  const declared = new Set<string>();
  for (const p of pipelines) {
    if (declared.has(p.name))
      r.error('duplicate-pipeline', p.docIndex, 'name', `duplicate pipeline name "${p.name}"`);
    declared.add(p.name);
    p.depends_on.forEach((dep, i) => {
      const field = `depends_on[${i}]`;
      if (dep === p.name)
        r.error('pipeline-dependency-self', p.docIndex, field, 'a pipeline cannot depend on itself');
      else if (declared.has(dep)) return;
      else if (all.has(dep)) {
        r.error(
          'pipeline-dependency-forward',
          p.docIndex,
          field,
          `pipeline "${dep}" is declared later in the file; a pipeline can only depend on pipelines declared before it`,
        );
      } else
        r.error('pipeline-dependency-unknown', p.docIndex, field, `unknown pipeline dependency "${dep}"`);
    });
  }
  const byName = new Map<string, Pipeline>();
  for (const p of pipelines) if (!byName.has(p.name)) byName.set(p.name, p);
  for (const cycle of findCycles(
    pipelines.map((p) => p.name),
    (n) => byName.get(n)?.depends_on ?? [],
  )) {
    const p = byName.get(cycle[0]!)!;
    r.error('pipeline-dependency-cycle', p.docIndex, 'depends_on', `dependency cycle: ${cycle.join(' -> ')}`);
  }
}

/** Drone's server only accepts these platforms for docker pipelines. */
export function lintPlatform(p: Pipeline, r: Report): void {
  if (p.type !== 'docker') return;
  const { os, arch } = p.platform;
  if (os !== '' && !OS.has(os))
    r.error('platform-os', p.docIndex, 'platform.os', `unsupported os: ${os} (expected linux or windows)`);
  if (arch !== '' && !ARCH.has(arch)) {
    r.error(
      'platform-arch',
      p.docIndex,
      'platform.arch',
      `unsupported architecture: ${arch} (expected arm, arm64, amd64, ppc64le or s390x)`,
    );
  }
}
