// Image references and pull decisions, as Docker and Drone read them (drone-reference.md §4.5):
// `alpine` is `docker.io/library/alpine:latest`; a first path part with a dot, a colon or `localhost`
// names a registry. The `default` policy pulls only `:latest` (or an untagged name) and missing images.
import type { RegistryCredential } from '../engine.js';
import type { PullPolicy } from '../../spec/plan.js';

/** The parts of an image reference that decide where it comes from and whether to pull it. */
export interface ImageRef {
  /** Registry host, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path without domain, tag or digest. */
  path: string;
  /** Tag; `latest` when the reference has neither tag nor digest. */
  tag: string;
  /** `sha256:…` when pinned by digest, else empty. */
  digest: string;
}

const HUB = 'docker.io';

/** Splits an image reference into registry domain, path, tag and digest. */
export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let domain = HUB;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = normalizeRegistry(first);
    rest = rest.slice(slash + 1);
  }
  if (domain === HUB && !rest.includes('/')) rest = `library/${rest}`;
  return { domain, path: rest, tag: tag || (digest ? '' : 'latest'), digest };
}

/** Reduces a credential address (`https://index.docker.io/v1/`, `http://host:5000`) to a registry host. */
export function normalizeRegistry(address: string): string {
  const host = address
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com')
    return HUB;
  return host;
}

/** The first credential whose registry host is the image's (Drone's rule), if any. */
export function credentialFor(
  image: string,
  registries: RegistryCredential[],
): RegistryCredential | undefined {
  const { domain } = parseImage(image);
  return registries.find((r) => normalizeRegistry(r.address) === domain);
}

/** What to do before creating a container: pull first, pull only if missing, or never pull. */
export type PullAction = 'pull' | 'pull-if-missing' | 'never';

/** Maps a step's pull policy and image to the engine's action. */
export function pullAction(policy: PullPolicy, image: string): PullAction {
  switch (policy) {
    case 'always':
      return 'pull';
    case 'never':
      return 'never';
    case 'if-not-exists':
      return 'pull-if-missing';
    default:
      return parseImage(image).tag === 'latest' ? 'pull' : 'pull-if-missing';
  }
}

/** True when a Docker error message says the registry refused the credentials (or asked for some). */
export function isAuthFailure(message: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials|access denied|denied: |incorrect username or password/i.test(
    message,
  );
}
