// The workspace of a docker stage (drone-reference.md §4.1, drone-runner-docker `workspace.go`) and
// runner-go's restricted host paths.
import type { Pipeline, Step } from '../manifest/types.js';

export const DEFAULT_WORKSPACE = '/drone/src';

/** Go's `path.Clean` (slash-separated, lexical). */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = out.join('/');
  if (rooted) return `/${s}`;
  return s === '' ? '.' : s;
}

/** Go's `path.Join`: empty elements ignored, the result cleaned, "" when all are empty. */
export function joinPath(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  return kept.length === 0 ? '' : cleanPath(kept.join('/'));
}

/** `c:` + the path with backslashes, as Drone writes Windows container paths. */
export function toWindowsDrive(p: string): string {
  return `c:${toWindowsPath(p)}`;
}

/** The path with every `/` turned into `\`. */
export function toWindowsPath(p: string): string {
  return p.replaceAll('/', '\\');
}

const RESTRICTED_EXACT = new Set(['/', '/etc', '/var']);
const RESTRICTED_TREES = [
  '/etc/docker',
  '/var/run',
  '/proc',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/bin',
  '/bin',
  '/mnt',
  '/mount',
  '/media',
  '/sys',
  '/dev',
];

/**
 * True when a container path must not be mounted by untrusted steps (runner-go
 * `container.IsRestrictedVolume`). Relative paths are read from `/`, case is ignored.
 */
export function isRestrictedVolume(path: string): boolean {
  const p = cleanPath(`/${path}`).toLowerCase();
  if (RESTRICTED_EXACT.has(p)) return true;
  return RESTRICTED_TREES.some((t) => p === t || p.startsWith(`${t}/`));
}

export interface WorkspacePaths {
  base: string;
  path: string;
  full: string;
}

/** base/path/full of a pipeline's workspace, reset to /drone/src when it points at a restricted path. */
export function createWorkspace(pipeline: Pick<Pipeline, 'workspace' | 'platform'>): WorkspacePaths {
  let base = pipeline.workspace.base;
  let path = pipeline.workspace.path;
  if (base === '') {
    if (path.startsWith('/')) {
      base = path;
      path = '';
    } else {
      base = DEFAULT_WORKSPACE;
    }
  }
  let full = joinPath(base, path);
  if (pipeline.platform.os === 'windows') {
    base = toWindowsDrive(base);
    path = toWindowsPath(path);
    full = toWindowsDrive(full);
  }
  if (isRestrictedVolume(full)) return { base: DEFAULT_WORKSPACE, path: '', full: DEFAULT_WORKSPACE };
  return { base, path, full };
}

/**
 * A step's working directory: its own `working_dir`, else the workspace — except detached containers
 * without commands (services), which keep the image's default.
 */
export function workingDirOf(
  step: Pick<Step, 'working_dir' | 'commands'>,
  detach: boolean,
  full: string,
): string {
  if (step.working_dir !== '') return step.working_dir;
  if (detach && step.commands.length === 0) return '';
  return full;
}
