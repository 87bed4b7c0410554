// Brings a step's image onto the engine according to its pull policy, with the matching registry
// credential. With no internet, a failed pull of an image that is already present is a warning in
// the step's output, not an error.
import type Docker from 'dockerode';
import type { PullPolicy } from '../../spec/plan.js';
import { EngineError, type RegistryCredential } from '../engine.js';
import { dockerMessage, isUnreachable } from './errors.js';
import { effectivePull, imageDomain } from '../../spec/compile/image.js';
import { pickCredential } from '../../spec/compile/registry-auth.js';
import { isAuthFailure } from './image.js';

interface ProgressEvent {
  id?: string;
  status?: string;
  progressDetail?: { current?: number };
  error?: string;
}

/** Ensures `image` can be used to create a container; throws EngineError with a clear message if not. */
export async function ensureImage(
  docker: Docker,
  image: string,
  policy: PullPolicy,
  registries: RegistryCredential[],
  output: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const action = effectivePull(policy, image);
  const present = await imageExists(docker, image);
  if (action === 'never') {
    if (!present)
      throw new EngineError(`image "${image}" not found locally and pull is disabled`, 'image_not_found');
    return;
  }
  if (action === 'if-not-exists' && present) return;
  const cred = pickCredential(image, registries);
  try {
    await pull(docker, image, cred, output, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    const reason = dockerMessage(e);
    if (present) {
      output(`warning: could not pull image "${image}" (${reason}); using the local image\n`);
      return;
    }
    if (isUnreachable(e)) throw e;
    const domain = imageDomain(image) ?? 'the registry';
    if (isAuthFailure(reason)) {
      const which = cred ? 'refused the login' : 'requires a login and no credentials match';
      throw new EngineError(`registry ${domain} ${which} for image "${image}": ${reason}`, 'registry_auth');
    }
    throw new EngineError(`pull of image "${image}" failed: ${reason}`, 'image_pull_failed');
  }
}

/** True when the engine has the image locally. */
export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (e) {
    if (isUnreachable(e)) throw e;
    return false;
  }
}

async function pull(
  docker: Docker,
  image: string,
  cred: RegistryCredential | undefined,
  output: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const authconfig = cred
    ? { username: cred.username, password: cred.password, serveraddress: imageDomain(image) ?? '' }
    : undefined;
  const stream: NodeJS.ReadableStream = await docker.pull(image, authconfig ? { authconfig } : {});
  const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) =>
          err ? reject(err) : signal.aborted ? reject(new Error('pull cancelled')) : resolve(),
        (ev: ProgressEvent) => {
          // Layer progress bars are noise in a CI log; the milestones are kept (as Drone shows them).
          if (ev.error || !ev.status || ev.progressDetail?.current !== undefined) return;
          output(`${ev.id ? `${ev.id}: ` : ''}${ev.status}\n`);
        },
      );
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
