// Registry credentials from docker `config.json` documents (`image_pull_secrets`, the runner's
// DRONE_DOCKER_CONFIG) and the choice of credential for an image (runner-go `registry/auths`,
// drone-runner-docker `compiler.go`).
import { goJson } from './gofmt.js';
import { matchRegistry, registryHost } from './image.js';

/** Credentials for one registry host (same shape as the engine's RegistryCredential). */
export interface RegistryCredential {
  address: string;
  username: string;
  password: string;
}

/** Go's json field matching is case-insensitive; the last matching key wins. */
function field(obj: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name) found = v;
  return found;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringField(obj: Record<string, unknown>, name: string): string {
  const v = field(obj, name);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Error(`invalid docker config.json: "${name}" must be a string`);
  return v;
}

/** Go's strict `base64.StdEncoding.DecodeString` (line breaks ignored); undefined when invalid. */
function decodeBase64(s: string): string | undefined {
  const t = s.replace(/[\r\n]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t))
    return undefined;
  return Buffer.from(t, 'base64').toString('utf8');
}

/** `auth` = base64(username:password); undecodable values give empty credentials, as in Drone. */
function decodeAuth(auth: string): [string, string] {
  const d = decodeBase64(auth);
  if (d === undefined) return ['', ''];
  const i = d.indexOf(':');
  return i === -1 ? [d, ''] : [d.slice(0, i), d.slice(i + 1)];
}

/**
 * Parses a docker `config.json`: one credential per `auths` entry, the address reduced to its host
 * (`https://index.docker.io/v1/` → `index.docker.io`); `auth` wins over `username`/`password`.
 * Throws a message without any of the document's content when it is not a valid config.
 */
export function parseDockerConfig(text: string): RegistryCredential[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('invalid docker config.json: not a JSON document');
  }
  if (doc === null) return [];
  if (!isObject(doc)) throw new Error('invalid docker config.json: expected an object');
  const auths = field(doc, 'auths');
  if (auths === undefined || auths === null) return [];
  if (!isObject(auths)) throw new Error('invalid docker config.json: "auths" must be an object');
  const out: RegistryCredential[] = [];
  for (const [key, entry] of Object.entries(auths)) {
    if (entry !== null && !isObject(entry))
      throw new Error('invalid docker config.json: each auth must be an object');
    const e = entry ?? {};
    let username = stringField(e, 'username');
    let password = stringField(e, 'password');
    const auth = stringField(e, 'auth');
    if (auth !== '') [username, password] = decodeAuth(auth);
    out.push({ address: registryHost(key), username, password });
  }
  return out;
}

/** Writes credentials as a docker `config.json` (`auths` keyed by address; duplicates collapse). */
export function encodeDockerConfig(creds: readonly RegistryCredential[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const c of creds) {
    auths[c.address] = { auth: Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64') };
  }
  return goJson({ auths });
}

/**
 * All credentials in Drone's lookup order: the pipeline's pull secrets — the last one listed first —
 * then the runner's own. Secrets that are not valid config.json documents are skipped.
 */
export function collectCredentials(
  pullSecretValues: readonly string[],
  runnerCredentials: readonly RegistryCredential[] = [],
): RegistryCredential[] {
  let creds = [...runnerCredentials];
  for (const value of pullSecretValues) {
    try {
      creds = [...parseDockerConfig(value), ...creds];
    } catch {
      // Drone ignores a pull secret it cannot parse.
    }
  }
  return creds;
}

/** The first credential whose host is the image's registry (`index.docker.io` ≡ `docker.io`). */
export function pickCredential(
  image: string,
  creds: readonly RegistryCredential[],
): RegistryCredential | undefined {
  return creds.find((c) => matchRegistry(image, c.address));
}
