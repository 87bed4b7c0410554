// `kind: pipeline` (drone-reference.md §3.2). Every type is read with the docker schema; kubernetes,
// ssh, vm, aws, … keep their `type` and their own extra fields. Defaults are Drone's: name `default`,
// type `docker`, platform linux/amd64, services detached.
import type { Clone, Pipeline, PipelineVolume, Platform, Step, Workspace } from './types.js';
import { isNull, type YMap, type YNode } from '../yaml/node.js';
import { at, type Decoder, join } from './decoder.js';
import { decodeConditions } from './conditions.js';
import { decodeStep, type StepOptions } from './step.js';
import { bool, bytes, envMap, int, str, strList, strMap } from './values.js';

// Types whose schema Hangar knows: unknown keys there are worth a warning. Other types (vm, aws, …)
// belong to runners with their own schema, so their keys are tolerated silently.
const KNOWN_TYPES = new Set(['docker', 'exec', 'ssh', 'kubernetes']);

const KUBE_EXTRA = new Set([
  'metadata',
  'node_selector',
  'node_name',
  'service_account_name',
  'service_account',
  'tolerations',
  'dns_config',
  'host_aliases',
  'resources',
  'priority_class_name',
]);
const KUBE_STEP_EXTRA = new Set(['group', 'security_context', 'image_pull_policy']);
const NONE = new Set<string>();

/** Drone's zero-value pipeline, before the document is read. */
function newPipeline(docIndex: number): Pipeline {
  return {
    kind: 'pipeline',
    type: '',
    name: '',
    version: '',
    platform: { os: '', arch: '', variant: '', version: '' },
    workspace: { base: '', path: '' },
    clone: { disable: false, depth: 0, retries: 0, skip_verify: false, trace: false },
    steps: [],
    services: [],
    volumes: [],
    node: {},
    trigger: {},
    depends_on: [],
    concurrency: { limit: 0 },
    image_pull_secrets: [],
    environment: {},
    docIndex,
  };
}

/** Where a step or volume object sits in its document (`steps[3]`), for diagnostics found later. */
export type Origins = WeakMap<object, string>;

/** Decodes a `kind: pipeline` document. */
export function decodePipeline(d: Decoder, root: YMap, docIndex: number, origins: Origins): Pipeline {
  const p = newPipeline(docIndex);
  const unknown: Array<{ key: string; keyNode: YNode; value: YNode }> = [];
  const stepNodes: Array<{ list: 'steps' | 'services'; node: YNode }> = [];
  let volumeNode: YNode | undefined;
  d.fields(root, '', (k, v, keyNode) => {
    switch (k) {
      case 'kind':
        break;
      case 'type':
        p.type = str(d, v, k);
        break;
      case 'name':
        p.name = str(d, v, k);
        break;
      case 'version':
        p.version = str(d, v, k);
        break;
      case 'platform':
        p.platform = platform(d, v, k, p.platform);
        break;
      case 'workspace':
        p.workspace = workspace(d, v, k, p.workspace);
        break;
      case 'clone':
        p.clone = clone(d, v, k, p.clone);
        break;
      case 'steps':
      case 'services':
        // Read once the type is known (it decides which keys are expected).
        stepNodes.push({ list: k, node: v });
        break;
      case 'volumes':
        volumeNode = v;
        break;
      case 'node':
        p.node = strMap(d, v, k, p.node);
        break;
      case 'trigger':
        p.trigger = decodeConditions(d, v, k, p.trigger);
        break;
      case 'depends_on':
        p.depends_on = strList(d, v, k);
        break;
      case 'concurrency':
        p.concurrency = concurrency(d, v, k, p.concurrency);
        break;
      case 'image_pull_secrets':
        p.image_pull_secrets = strList(d, v, k);
        break;
      case 'environment':
        p.environment = envMap(d, v, k, p.environment);
        break;
      case 'server':
        // Only ssh pipelines have a server; for other types it is decided once the type is known.
        unknown.push({ key: k, keyNode, value: v });
        break;
      default:
        unknown.push({ key: k, keyNode, value: v });
    }
  });
  if (p.type === '') p.type = 'docker';
  if (p.name === '') p.name = 'default';
  if (p.platform.os === '') p.platform.os = 'linux';
  if (p.platform.arch === '') p.platform.arch = 'amd64';

  const known = KNOWN_TYPES.has(p.type);
  const extra = p.type === 'kubernetes' ? KUBE_EXTRA : NONE;
  for (const u of unknown) {
    if (u.key === 'server' && (p.type === 'ssh' || !known))
      p.server = envMap(d, u.value, u.key, p.server ?? {});
    else if (known && !extra.has(u.key)) d.unknown('', u.key, u.keyNode, u.value);
  }

  const opts: StepOptions = { warnUnknown: known, extra: p.type === 'kubernetes' ? KUBE_STEP_EXTRA : NONE };
  for (const { list, node } of stepNodes) p[list] = steps(d, node, list, list === 'services', opts, origins);
  if (volumeNode) p.volumes = volumes(d, volumeNode, 'volumes', origins, p.type === 'kubernetes' || !known);

  if (p.type === 'docker' || p.type === 'exec') plainEnvironment(d, root, p);
  return p;
}

/** The docker and exec runners read the pipeline environment as plain strings (no from_secret). */
function plainEnvironment(d: Decoder, root: YMap, p: Pipeline): void {
  for (const [k, v] of Object.entries(p.environment)) {
    if (!('fromSecret' in v)) continue;
    let node: YNode | undefined;
    d.fields(root, '', (key, value) => {
      if (key === 'environment' && value.kind === 'map') {
        d.fields(value, 'environment', (ek, ev) => {
          if (ek === k) node = ev;
        });
      }
    });
    d.error(
      'invalid-type',
      join('environment', k),
      node,
      `from_secret is not supported in the pipeline environment of ${p.type} pipelines (set it on each step)`,
    );
  }
}

function steps(
  d: Decoder,
  n: YNode,
  path: string,
  service: boolean,
  opts: StepOptions,
  origins: Origins,
): Step[] {
  if (isNull(n)) return [];
  if (n.kind !== 'seq') {
    d.typeError(path, n, `a list of ${path}`);
    return [];
  }
  const out: Step[] = [];
  n.items.forEach((item, i) => {
    const p = at(path, i);
    if (isNull(item)) {
      d.error('nil-step', p, item, `empty ${service ? 'service' : 'step'}`);
      return;
    }
    if (item.kind !== 'map') {
      d.typeError(p, item, `a ${service ? 'service' : 'step'} (a mapping)`);
      return;
    }
    const s = decodeStep(d, item, p, service, opts);
    origins.set(s, p);
    out.push(s);
  });
  return out;
}

function platform(d: Decoder, n: YNode, path: string, into: Platform): Platform {
  if (isNull(n)) return { os: '', arch: '', variant: '', version: '' };
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (os, arch, variant, version)');
    return into;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'os' || k === 'arch' || k === 'variant' || k === 'version') into[k] = str(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return into;
}

function workspace(d: Decoder, n: YNode, path: string, into: Workspace): Workspace {
  if (isNull(n)) return { base: '', path: '' };
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (base, path)');
    return into;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'base' || k === 'path') into[k] = str(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return into;
}

function clone(d: Decoder, n: YNode, path: string, into: Clone): Clone {
  if (isNull(n)) return { disable: false, depth: 0, retries: 0, skip_verify: false, trace: false };
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (disable, depth, retries, skip_verify, trace)');
    return into;
  }
  d.fields(n, path, (k, v, keyNode) => {
    const p = join(path, k);
    if (k === 'disable' || k === 'skip_verify' || k === 'trace') into[k] = bool(d, v, p);
    else if (k === 'depth' || k === 'retries') into[k] = int(d, v, p);
    else d.unknown(path, k, keyNode, v);
  });
  return into;
}

function concurrency(d: Decoder, n: YNode, path: string, into: { limit: number }): { limit: number } {
  if (isNull(n)) return { limit: 0 };
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (limit)');
    return into;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'limit') into.limit = int(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return into;
}

const OTHER_VOLUMES = new Set(['claim', 'config_map', 'secret', 'downward_api']);

/** Pipeline volumes; `kube` accepts the kubernetes kinds (claim, config_map, secret, downward_api). */
function volumes(d: Decoder, n: YNode, path: string, origins: Origins, kube: boolean): PipelineVolume[] {
  if (isNull(n)) return [];
  if (n.kind !== 'seq') {
    d.typeError(path, n, 'a list of volumes');
    return [];
  }
  const out: PipelineVolume[] = [];
  n.items.forEach((item, i) => {
    const p = at(path, i);
    if (item.kind !== 'map') {
      d.typeError(p, item, 'a volume (a mapping with name and temp or host)');
      return;
    }
    let name = '';
    let temp: { medium: string; size_limit: number } | undefined;
    let host: { path: string } | undefined;
    let other: string | undefined;
    d.fields(item, p, (k, v, keyNode) => {
      const vp = join(p, k);
      if (k === 'name') name = str(d, v, vp);
      else if (k === 'temp') temp = tempVolume(d, v, vp, temp);
      else if (k === 'host') host = hostVolume(d, v, vp, host);
      else if (kube && OTHER_VOLUMES.has(k)) other = k;
      else d.unknown(p, k, keyNode, v);
    });
    let vol: PipelineVolume;
    if (temp) {
      if (host) d.warn('invalid-value', p, item, 'a volume is either temp or host; temp is used');
      vol = { name, temp };
    } else if (host) vol = { name, host };
    else {
      if (other === undefined) d.warn('invalid-value', p, item, 'volume has no type (expected temp or host)');
      vol = { name, other: other ?? '' };
    }
    origins.set(vol, p);
    out.push(vol);
  });
  return out;
}

// `temp:` with nothing after it is null in YAML; it is read as `temp: {}`, which is what it means.
function tempVolume(
  d: Decoder,
  n: YNode,
  path: string,
  into: { medium: string; size_limit: number } | undefined,
) {
  const t = into ?? { medium: '', size_limit: 0 };
  if (isNull(n)) return t;
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (medium, size_limit)');
    return t;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'medium') t.medium = str(d, v, join(path, k));
    else if (k === 'size_limit') t.size_limit = bytes(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return t;
}

function hostVolume(d: Decoder, n: YNode, path: string, into: { path: string } | undefined) {
  const h = into ?? { path: '' };
  if (isNull(n)) return h;
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping (path)');
    return h;
  }
  d.fields(n, path, (k, v, keyNode) => {
    if (k === 'path') h.path = str(d, v, join(path, k));
    else d.unknown(path, k, keyNode, v);
  });
  return h;
}
