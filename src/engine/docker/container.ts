// Translates one PlanStep into Docker's container-create body (drone-reference.md §4.9): the stage
// network with alias = step name (unless network_mode), the workspace volume at the workspace base,
// the step's pipeline volumes (temp → stage volume, temp+memory → tmpfs, host → bind, read-only when
// the runner says so), devices and resource limits (memory, shm, CPU). Pure: names of the stage's
// resources are passed in.
import type { ContainerCreateOptions, HostConfig, MountConfig } from 'dockerode';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { EngineError } from '../engine.js';
import { LABEL_STEP } from './labels.js';

/** Names of the stage's Docker resources. */
export interface StageResources {
  network: string;
  workspaceVolume: string;
  /** Docker volume name of each `temp` (non-memory) pipeline volume, by pipeline volume name. */
  tempVolumes: Record<string, string>;
  labels: Record<string, string>;
}

/** The create body for `step` (its container name is chosen by the caller). */
export function containerSpec(
  plan: Plan,
  step: PlanStep,
  env: Record<string, string>,
  res: StageResources,
): ContainerCreateOptions {
  const mounts: MountConfig = [{ Type: 'volume', Source: res.workspaceVolume, Target: plan.workspace.base }];
  const binds: string[] = [];
  for (const v of step.volumes) {
    const vol = plan.volumes.find((p) => p.name === v.name);
    if (!vol)
      throw new EngineError(
        `step "${step.name}" mounts volume "${v.name}", which the pipeline does not declare`,
        'unknown_volume',
      );
    if (vol.kind === 'host') {
      // A bind (not a mount) so that a missing host folder is created, as Docker and Drone do.
      binds.push(`${vol.path}:${v.path}${vol.readOnly ? ':ro' : ''}`);
    } else if (vol.medium === 'memory') {
      // Mode 1777 like /tmp; size 0 leaves Docker's default (half the host's memory).
      mounts.push({
        Type: 'tmpfs',
        Source: '',
        Target: v.path,
        TmpfsOptions: { SizeBytes: Math.max(0, vol.sizeLimit), Mode: 0o1777 },
      });
    } else {
      const source = res.tempVolumes[vol.name];
      if (!source)
        throw new EngineError(`volume "${vol.name}" was not created for this stage`, 'unknown_volume');
      mounts.push({ Type: 'volume', Source: source, Target: v.path });
    }
  }
  const devices = step.devices.map((d) => {
    const vol = plan.volumes.find((p) => p.name === d.name);
    if (vol?.kind !== 'host')
      throw new EngineError(
        `step "${step.name}" uses device "${d.name}", which is not a host volume of the pipeline`,
        'unknown_volume',
      );
    return { PathOnHost: vol.path, PathInContainer: d.path, CgroupPermissions: 'rwm' };
  });

  const ownNetwork = step.networkMode === '';
  const spec: ContainerCreateOptions = {
    Image: step.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...res.labels, [LABEL_STEP]: step.name },
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      Privileged: step.privileged,
      Mounts: mounts,
      NetworkMode: ownNetwork ? res.network : step.networkMode,
      ...(binds.length > 0 ? { Binds: binds } : {}),
      ...(devices.length > 0 ? { Devices: devices } : {}),
      ...(step.dns.length > 0 ? { Dns: step.dns } : {}),
      ...(step.dnsSearch.length > 0 ? { DnsSearch: step.dnsSearch } : {}),
      ...(step.extraHosts.length > 0 ? { ExtraHosts: step.extraHosts } : {}),
      ...(step.shmSize > 0 ? { ShmSize: step.shmSize } : {}),
      ...(step.memLimit > 0 ? { Memory: step.memLimit } : {}),
      ...(step.memswapLimit !== 0 ? { MemorySwap: step.memswapLimit } : {}),
      ...cpuLimits(step),
    },
  };
  if (step.entrypoint.length > 0) spec.Entrypoint = step.entrypoint;
  if (step.command.length > 0) spec.Cmd = step.command;
  if (step.workingDir) spec.WorkingDir = step.workingDir;
  if (step.user) spec.User = step.user;
  if (ownNetwork) spec.NetworkingConfig = { EndpointsConfig: { [res.network]: { Aliases: [step.name] } } };
  return spec;
}

/** The CPU limits of a step in Docker's HostConfig terms (absent ones leave Docker's defaults). */
function cpuLimits(step: PlanStep): Pick<HostConfig, 'CpuQuota' | 'CpuPeriod' | 'CpuShares' | 'CpusetCpus'> {
  const out: Pick<HostConfig, 'CpuQuota' | 'CpuPeriod' | 'CpuShares' | 'CpusetCpus'> = {};
  if ((step.cpuQuota ?? 0) > 0) out.CpuQuota = step.cpuQuota;
  if ((step.cpuPeriod ?? 0) > 0) out.CpuPeriod = step.cpuPeriod;
  if ((step.cpuShares ?? 0) > 0) out.CpuShares = step.cpuShares;
  if ((step.cpuSet ?? []).length > 0) out.CpusetCpus = (step.cpuSet ?? []).join(',');
  return out;
}

/** A Docker-safe name part: letters, digits, `_`, `.`, `-`; never empty. */
export function dockerName(s: string): string {
  const clean = s.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return clean || 'x';
}
