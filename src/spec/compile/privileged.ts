// Plugins that run privileged without asking (Docker-in-Docker), and the rules that take the
// privilege away again (drone-reference.md §4.5, drone-runner-docker `isPrivileged`).
import type { EnvValue, Step } from '../manifest/types.js';
import { matchImage } from './image.js';
import { isRestrictedVolume } from './workspace.js';

/** Images privileged by default; the runner's DRONE_RUNNER_PRIVILEGED_IMAGES adds to them. */
export const DEFAULT_PRIVILEGED_IMAGES = [
  'plugins/docker',
  'plugins/acr',
  'plugins/ecr',
  'plugins/gcr',
  'plugins/heroku',
  'plugins/gar',
];

/** Environment names a step may not set if it is to run privileged automatically. */
export const RESTRICTED_VARIABLES = ['XDG_RUNTIME_DIR', 'DOCKER_OPTS', 'DOCKER_HOST', 'PATH', 'HOME'];

function hasRestrictedVariable(env: Record<string, EnvValue>): boolean {
  return RESTRICTED_VARIABLES.some((name) => Object.hasOwn(env, name));
}

export interface PrivilegedOptions {
  /** Images on the allow-list (tags ignored). */
  images: readonly string[];
  /** DRONE_FLAG_ALLOW_DOCKER_PLUGIN_VOLUMES: let privileged plugins mount (unrestricted) volumes. */
  allowPluginVolumes?: boolean;
  /** Windows containers are never made privileged. */
  os?: string;
}

/**
 * True when a step runs privileged because of the allow-list: a plugin step (no commands, command or
 * entrypoint) on the list, without volumes, restricted mounts or restricted variables.
 */
export function isAutoPrivileged(
  step: Pick<Step, 'image' | 'commands' | 'command' | 'entrypoint' | 'volumes' | 'environment'>,
  opts: PrivilegedOptions,
): boolean {
  if (opts.os === 'windows') return false;
  if (step.commands.length > 0 || step.command.length > 0 || step.entrypoint.length > 0) return false;
  if (!opts.allowPluginVolumes && step.volumes.length > 0) return false;
  if (step.volumes.some((v) => isRestrictedVolume(v.path))) return false;
  if (hasRestrictedVariable(step.environment)) return false;
  return opts.images.some((img) => matchImage(img, step.image));
}
