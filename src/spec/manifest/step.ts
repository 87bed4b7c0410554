// A step or service (drone-reference.md §3.3). Fields are decoded into the step in go-yaml v2 order,
// so a field given again (directly or through `<<: *anchor`) replaces a scalar or list and adds to
// a map (`environment`, `settings`) or a struct (`when`).
import type { StepDevice, Step, VolumeMount } from './types.js';
import { isNull, type YMap, type YNode } from '../yaml/node.js';
import { yamlInt } from '../yaml/scalar.js';
import { at, type Decoder, join } from './decoder.js';
import { decodeConditions } from './conditions.js';
import { bool, bytes, envMap, int, settingsMap, str, strList } from './values.js';
import { toPlain } from '../yaml/walk.js';

/** How strictly a pipeline's steps are read: unknown keys warn for the types Hangar knows. */
export interface StepOptions {
  warnUnknown: boolean;
  /** Keys the pipeline's type adds (kubernetes `group`, …). */
  extra: ReadonlySet<string>;
}

/** A port of a service (drone-yaml `Port`): `80` or `{port: 80, host: 8080, protocol: TCP}`. */
export interface StepPort {
  port: number;
  host: number;
  protocol: string;
}

/** A step with Drone's zero values. */
export function newStep(service: boolean): Step {
  return {
    name: '',
    image: '',
    pull: '',
    commands: [],
    entrypoint: [],
    command: [],
    environment: {},
    settings: {},
    when: {},
    depends_on: [],
    detach: service,
    privileged: false,
    failure: '',
    volumes: [],
    devices: [],
    network_mode: '',
    dns: [],
    dns_search: [],
    extra_hosts: [],
    shm_size: 0,
    mem_limit: 0,
    memswap_limit: 0,
    user: '',
    working_dir: '',
    shell: '',
    timeout: 0,
    service,
  };
}

const PULL: Record<string, Step['pull']> = {
  '': '',
  always: 'always',
  never: 'never',
  'if-not-exists': 'if-not-exists',
  default: 'default',
};

const FAILURE: Record<string, Step['failure']> = {
  '': '',
  ignore: 'ignore',
  fast: 'fast',
  'fast-fail': 'fast',
  'fail-fast': 'fast',
};

/** Decodes one entry of `steps:` or `services:`. */
export function decodeStep(d: Decoder, n: YMap, path: string, service: boolean, opts: StepOptions): Step {
  const s = newStep(service);
  d.fields(n, path, (k, v, keyNode) => {
    const p = join(path, k);
    switch (k) {
      case 'name':
        s.name = str(d, v, p);
        break;
      case 'image':
        s.image = str(d, v, p);
        break;
      case 'pull': {
        const raw = str(d, v, p);
        const pull = PULL[raw.toLowerCase()];
        if (pull === undefined) {
          d.warn(
            'invalid-value',
            p,
            v,
            `unknown pull policy "${raw}" (expected always, never or if-not-exists)`,
          );
        }
        s.pull = pull ?? '';
        break;
      }
      case 'commands':
        s.commands = strList(d, v, p);
        break;
      case 'entrypoint':
        s.entrypoint = strList(d, v, p);
        break;
      case 'command':
        s.command = strList(d, v, p);
        break;
      case 'environment':
        s.environment = envMap(d, v, p, s.environment);
        break;
      case 'settings':
        s.settings = settingsMap(d, v, p, s.settings);
        break;
      case 'when':
        s.when = decodeConditions(d, v, p, s.when);
        break;
      case 'depends_on':
        s.depends_on = strList(d, v, p);
        break;
      case 'detach':
        s.detach = bool(d, v, p) || service;
        break;
      case 'privileged':
        s.privileged = bool(d, v, p);
        break;
      case 'failure': {
        const raw = str(d, v, p);
        const failure = FAILURE[raw];
        if (failure === undefined)
          d.warn('invalid-value', p, v, `unknown failure mode "${raw}" (expected ignore or fast)`);
        s.failure = failure ?? '';
        break;
      }
      case 'volumes':
        s.volumes = pairs(d, v, p, 'a list of volume mounts ({name, path})');
        break;
      case 'devices':
        s.devices = pairs(d, v, p, 'a list of devices ({name, path})');
        break;
      case 'network_mode':
        s.network_mode = str(d, v, p);
        break;
      case 'dns':
        s.dns = strList(d, v, p);
        break;
      case 'dns_search':
        s.dns_search = strList(d, v, p);
        break;
      case 'extra_hosts':
        s.extra_hosts = strList(d, v, p);
        break;
      case 'shm_size':
        s.shm_size = bytes(d, v, p);
        break;
      case 'mem_limit':
        s.mem_limit = bytes(d, v, p);
        break;
      case 'memswap_limit':
        s.memswap_limit = bytes(d, v, p);
        break;
      case 'user':
        s.user = str(d, v, p);
        break;
      case 'working_dir':
        s.working_dir = str(d, v, p);
        break;
      case 'shell':
        s.shell = str(d, v, p);
        break;
      case 'timeout':
        s.timeout = int(d, v, p);
        break;
      case 'image_pull_secrets':
        s.image_pull_secrets = strList(d, v, p);
        break;
      case 'resources':
        s.resources = isNull(v) ? undefined : toPlain(v, d.budget);
        break;
      case 'ports':
        s.ports = ports(d, v, p);
        break;
      case 'build':
        buildImage(d, v, p);
        break;
      case 'push':
        pushImage(d, v, p);
        break;
      default:
        if (opts.warnUnknown && !opts.extra.has(k)) d.unknown(path, k, keyNode, v);
    }
  });
  return s;
}

/** `volumes` / `devices` of a step: a list of `{name, path}`. */
function pairs(d: Decoder, n: YNode, path: string, expected: string): Array<VolumeMount & StepDevice> {
  if (isNull(n)) return [];
  if (n.kind !== 'seq') {
    d.typeError(path, n, expected);
    return [];
  }
  const out: Array<VolumeMount & StepDevice> = [];
  n.items.forEach((item, i) => {
    const p = at(path, i);
    if (item.kind !== 'map') {
      d.typeError(p, item, 'a mapping with name and path');
      return;
    }
    const m = { name: '', path: '' };
    d.fields(item, p, (k, v, keyNode) => {
      if (k === 'name') m.name = str(d, v, join(p, k));
      else if (k === 'path') m.path = str(d, v, join(p, k));
      else d.unknown(p, k, keyNode, v);
    });
    out.push(m);
  });
  return out;
}

/** Service ports: `- 6379` or `- {port: 6379, host: 6379, protocol: TCP}`. */
function ports(d: Decoder, n: YNode, path: string): StepPort[] {
  if (isNull(n)) return [];
  if (n.kind !== 'seq') {
    d.typeError(path, n, 'a list of ports');
    return [];
  }
  const out: StepPort[] = [];
  n.items.forEach((item, i) => {
    const p = at(path, i);
    const port = decodePort(d, item, p);
    if (port) out.push(port);
  });
  return out;
}

/** One port (value-cases.json `Port`). */
export function decodePort(d: Decoder, n: YNode, p: string): StepPort | undefined {
  if (n.kind === 'scalar') {
    const port = n.plain ? yamlInt(n.value) : undefined;
    if (typeof port === 'number') return { port, host: 0, protocol: '' };
    d.typeError(p, n, 'a port number or {port, host, protocol}');
    return undefined;
  }
  if (n.kind !== 'map') {
    d.typeError(p, n, 'a port number or {port, host, protocol}');
    return undefined;
  }
  const port: StepPort = { port: 0, host: 0, protocol: '' };
  d.fields(n, p, (k, v, keyNode) => {
    if (k === 'port') port.port = int(d, v, join(p, k));
    else if (k === 'host') port.host = int(d, v, join(p, k));
    else if (k === 'protocol') port.protocol = str(d, v, join(p, k));
    else d.unknown(p, k, keyNode, v);
  });
  return port;
}

/** drone-yaml's `build`: an image name, or `{image, context, dockerfile, args, …}`; the image is required. */
export function buildImage(d: Decoder, n: YNode, p: string): string {
  if (isNull(n)) return '';
  let image = '';
  if (n.kind === 'scalar') image = n.value;
  else if (n.kind === 'map') {
    d.fields(n, p, (k, v) => {
      if (k === 'image') image = str(d, v, join(p, k));
    });
  } else d.typeError(p, n, 'an image name or {image: name}');
  if (image === '' && n.kind !== 'seq') d.error('missing-build-image', join(p, 'image'), n, 'required');
  return image;
}

/** drone-yaml's `push`: an image name or `{image: name}`. */
export function pushImage(d: Decoder, n: YNode, p: string): string {
  if (isNull(n)) return '';
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') {
    d.typeError(p, n, 'an image name or {image: name}');
    return '';
  }
  let image = '';
  d.fields(n, p, (k, v, keyNode) => {
    if (k === 'image') image = str(d, v, join(p, k));
    else d.unknown(p, k, keyNode, v);
  });
  return image;
}
