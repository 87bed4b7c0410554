// The Docker engine (drone-reference.md §4.9): per stage one bridge network (with the runner's
// driver options) and one workspace volume (plus the pipeline's temp volumes); each step is a
// container on that network with alias = step name (and on the runner's extra networks), attached
// before start so no output is lost, waited for with `next-exit` (registered before start, see
// wait.ts). Every resource carries labels naming its stage, this engine instance and the owning
// process, so destroy finds them without any memory and pruneOrphans can remove what a killed
// process left behind.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Docker from 'dockerode';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { cloneRepository } from '../clone/index.js';
import {
  type Engine,
  EngineError,
  type SetupOptions,
  type StepExit,
  type StepRunOptions,
} from '../engine.js';
import { containerSpec, dockerName, type StageResources } from './container.js';
import { copyIntoVolume } from './copy.js';
import { dockerMessage, dockerStatus, isUnreachable } from './errors.js';
import { ensureHelperImage } from './helper.js';
import { LABEL_HANGAR, ownerOf, stageFilter, stageLabels } from './labels.js';
import { currentOwner, ownerIsDead } from './owner.js';
import { ensureImage } from './pull.js';
import { FrameDemuxer } from './stream.js';
import { registerWait } from './wait.js';

export interface DockerEngineOptions {
  /** Docker socket; default `/var/run/docker.sock`. */
  socketPath?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a step is stopped; default 10 s. */
  killGraceMs?: number;
  /** Local image used to copy the clone into the workspace; made on first use. */
  helperImage?: string;
  /** Pause between clone retries (milliseconds); default 2 s. */
  cloneRetryDelayMs?: number;
  /** Remove resources of dead owners on this host before the first setup; default true. */
  pruneOrphans?: boolean;
}

/** Counts of what pruneOrphans removed. */
export interface PruneResult {
  containers: number;
  volumes: number;
  networks: number;
}

interface StageState extends StageResources {
  /** Container name prefix. */
  prefix: string;
  /** Set by destroy: steps still starting must not create containers any more. */
  destroyed: boolean;
  /** Settles when setup has finished (successfully or not). */
  ready: Promise<unknown>;
}

/** Exit code reported for a step stopped before or while running (SIGKILL). */
const KILLED = 137;
/** The engine speaks the API of Docker 20.10 (the oldest engine we support): pinned, not negotiated. */
const API_VERSION = 'v1.41';

/** Runs the steps of a stage as Docker containers. */
export class DockerEngine implements Engine {
  /** This instance's id, in the labels of everything it creates. */
  readonly id = randomBytes(6).toString('hex');
  private readonly docker: Docker;
  private readonly socketPath: string;
  private readonly grace: number;
  private readonly helperImage: string;
  private readonly cloneRetryDelayMs: number;
  private readonly owner = currentOwner();
  private readonly stages = new Map<string, StageState>();
  private pruned: Promise<unknown> | undefined;

  constructor(opts: DockerEngineOptions = {}) {
    this.socketPath = opts.socketPath ?? '/var/run/docker.sock';
    this.docker = new Docker({ socketPath: this.socketPath, version: API_VERSION });
    this.grace = opts.killGraceMs ?? 10_000;
    this.helperImage = opts.helperImage ?? 'hangar-helper:1';
    this.cloneRetryDelayMs = opts.cloneRetryDelayMs ?? 2000;
    if (opts.pruneOrphans === false) this.pruned = Promise.resolve();
  }

  /** Creates the stage network, the workspace volume and the temp volumes. */
  async setup(plan: Plan, opts: SetupOptions): Promise<void> {
    if (this.stages.has(plan.id))
      throw new EngineError(`stage ${plan.id} is already set up`, 'duplicate_stage');
    this.pruned ??= this.pruneOrphans().catch(() => undefined);
    const prefix = `hangar-${dockerName(plan.id)}-${randomBytes(3).toString('hex')}`;
    const labels = stageLabels(plan, this.id, this.owner, new Date());
    const tempVolumes: Record<string, string> = {};
    for (const v of plan.volumes) {
      if (v.kind === 'temp' && v.medium !== 'memory')
        tempVolumes[v.name] = `${prefix}-vol-${dockerName(v.name)}`;
    }
    let done: () => void = () => undefined;
    const state: StageState = {
      prefix,
      network: prefix,
      workspaceVolume: `${prefix}-workspace`,
      tempVolumes,
      labels,
      destroyed: false,
      ready: new Promise<void>((resolve) => {
        done = resolve;
      }),
    };
    // Registered before anything exists, so destroy can wait for and undo a partial setup.
    this.stages.set(plan.id, state);
    try {
      await this.pruned;
      const check = () => {
        if (opts.signal.aborted || state.destroyed) throw new EngineError('setup was cancelled', 'cancelled');
      };
      check();
      await this.docker.createNetwork({
        Name: state.network,
        Driver: 'bridge',
        Labels: labels,
        CheckDuplicate: true,
        ...(plan.networkOptions ? { Options: plan.networkOptions } : {}),
      });
      check();
      await this.docker.createVolume({ Name: state.workspaceVolume, Driver: 'local', Labels: labels });
      for (const name of Object.values(tempVolumes)) {
        check();
        await this.docker.createVolume({ Name: name, Driver: 'local', Labels: labels });
      }
    } catch (e) {
      throw this.engineError(e, 'cannot set up the stage', 'setup_failed');
    } finally {
      done();
    }
  }

  /** Runs one step: the clone (on the host, copied into the workspace) or a container. */
  async runStep(plan: Plan, step: PlanStep, opts: StepRunOptions): Promise<StepExit> {
    const state = this.stages.get(plan.id);
    if (!state) throw new EngineError(`stage ${plan.id} is not set up`, 'not_setup');
    await state.ready;
    if (opts.signal.aborted || state.destroyed) return { exitCode: KILLED, oomKilled: false };
    try {
      if (step.clone) return await this.clone(plan, step, state, opts);
      await ensureImage(this.docker, step.image, step.pull, opts.registries, opts.output, opts.signal);
      if (opts.signal.aborted) return { exitCode: KILLED, oomKilled: false };
      return await this.runContainer(plan, step, state, opts);
    } catch (e) {
      if (opts.signal.aborted && !(e instanceof EngineError)) return { exitCode: KILLED, oomKilled: false };
      throw this.engineError(e, `step "${step.name}" failed to run`, 'step_failed');
    }
  }

  /** Kills and removes the stage's containers, then its volumes and network. Idempotent. */
  async destroy(plan: Plan): Promise<void> {
    const state = this.stages.get(plan.id);
    if (state) {
      state.destroyed = true;
      await state.ready;
    }
    const filters = stageFilter(plan.id, this.id);
    const errors: unknown[] = [];
    const attempt = async (what: Promise<unknown>) => {
      try {
        await what;
      } catch (e) {
        // Already gone, or being removed by a concurrent destroy: both mean done.
        if (dockerStatus(e) !== 404 && dockerStatus(e) !== 409) errors.push(e);
      }
    };
    try {
      const containers = await this.docker.listContainers({ all: true, filters });
      await Promise.all(
        containers.map((c) => attempt(this.docker.getContainer(c.Id).remove({ force: true, v: true }))),
      );
      const { Volumes } = await this.docker.listVolumes({ filters });
      await Promise.all((Volumes ?? []).map((v) => attempt(this.docker.getVolume(v.Name).remove())));
      const networks = await this.docker.listNetworks({ filters });
      await Promise.all(networks.map((n) => attempt(this.docker.getNetwork(n.Id).remove())));
    } catch (e) {
      errors.push(e);
    }
    if (errors.length > 0)
      throw this.engineError(errors[0], 'cannot remove the stage resources', 'destroy_failed');
    this.stages.delete(plan.id);
  }

  /** Removes labelled containers, volumes and networks whose owner process on this host is gone. */
  async pruneOrphans(): Promise<PruneResult> {
    const filters = { label: [`${LABEL_HANGAR}=true`] };
    const dead = (labels: Record<string, string> | null | undefined) => {
      const owner = ownerOf(labels);
      return owner !== undefined && ownerIsDead(owner, this.owner.host);
    };
    const result: PruneResult = { containers: 0, volumes: 0, networks: 0 };
    const count = async (key: keyof PruneResult, what: Promise<unknown>) => {
      try {
        await what;
        result[key]++;
      } catch (e) {
        if (isUnreachable(e)) throw e;
      }
    };
    const containers = await this.docker.listContainers({ all: true, filters });
    await Promise.all(
      containers
        .filter((c) => dead(c.Labels))
        .map((c) => count('containers', this.docker.getContainer(c.Id).remove({ force: true, v: true }))),
    );
    const { Volumes } = await this.docker.listVolumes({ filters });
    await Promise.all(
      (Volumes ?? [])
        .filter((v) => dead(v.Labels))
        .map((v) => count('volumes', this.docker.getVolume(v.Name).remove())),
    );
    const networks = await this.docker.listNetworks({ filters });
    await Promise.all(
      networks
        .filter((n) => dead(n.Labels))
        .map((n) => count('networks', this.docker.getNetwork(n.Id).remove())),
    );
    return result;
  }

  private async runContainer(
    plan: Plan,
    step: PlanStep,
    state: StageState,
    opts: StepRunOptions,
  ): Promise<StepExit> {
    // Drone's network/workspace variables sit below the step's own environment (§4.6).
    const env = {
      DRONE_DOCKER_NETWORK_ID: state.network,
      DRONE_DOCKER_VOLUME_ID: state.workspaceVolume,
      ...opts.env,
    };
    const spec = containerSpec(plan, step, env, state);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        ...spec,
        name: `${state.prefix}-${dockerName(step.id || step.name)}`,
      });
    } catch (e) {
      if (dockerStatus(e) === 404)
        throw new EngineError(`image "${step.image}" not found: ${dockerMessage(e)}`, 'image_not_found');
      throw this.engineError(e, `cannot create the container of step "${step.name}"`, 'create_failed');
    }
    if (state.destroyed) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      return { exitCode: KILLED, oomKilled: false };
    }
    await this.joinNetworks(step, container.id);

    // Attach and wait are both registered before start: output from the first byte, and an exit that
    // cannot be missed however short the step.
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
    })) as NodeJS.ReadableStream;
    const demux = new FrameDemuxer(opts.output);
    const ended = new Promise<void>((resolve) => {
      stream.on('data', (d: Buffer) => demux.push(d));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    const { exited } = await registerWait(this.docker, container.id);

    let killTimer: NodeJS.Timeout | undefined;
    let started = false;
    const stop = () => {
      if (!started || killTimer) return;
      container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
      killTimer = setTimeout(() => container.kill({ signal: 'SIGKILL' }).catch(() => undefined), this.grace);
    };
    opts.signal.addEventListener('abort', stop, { once: true });
    try {
      try {
        await container.start();
      } catch (e) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        throw new EngineError(`cannot start step "${step.name}": ${dockerMessage(e)}`, 'start_failed');
      }
      started = true;
      if (opts.signal.aborted) stop();
      let exitCode: number;
      try {
        exitCode = (await exited).StatusCode;
      } catch (e) {
        // Removed under us (destroy of a detached step): that is a kill.
        if (state.destroyed || dockerStatus(e) === 404) return { exitCode: KILLED, oomKilled: false };
        throw e;
      }
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
      demux.end();
      const oomKilled = await container
        .inspect()
        .then((i) => i.State.OOMKilled === true)
        .catch(() => false);
      return { exitCode, oomKilled };
    } finally {
      opts.signal.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
  }

  /**
   * Connects a created container to the runner's extra networks, alias = network name (Drone's
   * engine). Drone goes on without a network it cannot join; here the step fails and says why.
   */
  private async joinNetworks(step: PlanStep, containerId: string): Promise<void> {
    if (step.networkMode !== '') return;
    for (const name of step.networks ?? []) {
      try {
        await this.docker
          .getNetwork(name)
          .connect({ Container: containerId, EndpointConfig: { Aliases: [name] } });
      } catch (e) {
        throw new EngineError(
          `cannot connect step "${step.name}" to network "${name}": ${dockerMessage(e)}`,
          'network_failed',
        );
      }
    }
  }

  private async clone(
    plan: Plan,
    step: PlanStep,
    state: StageState,
    opts: StepRunOptions,
  ): Promise<StepExit> {
    const spec = step.clone;
    if (!spec) throw new EngineError('not a clone step', 'not_clone');
    if (!opts.clone) throw new EngineError('the clone step has no source to clone', 'no_clone_source');
    const tmp = await mkdtemp(join(tmpdir(), 'hangar-clone-'));
    try {
      // The tree is laid out as it will be under the workspace base, then copied in one archive.
      const rel = relative(plan.workspace.base, plan.workspace.full);
      const code = await cloneRepository(opts.clone, spec, join(tmp, rel), {
        output: opts.output,
        signal: opts.signal,
        env: opts.env,
        retryDelayMs: this.cloneRetryDelayMs,
      });
      if (code !== 0) return { exitCode: code, oomKilled: false };
      if (opts.signal.aborted || state.destroyed) return { exitCode: KILLED, oomKilled: false };
      await ensureHelperImage(this.docker, this.helperImage);
      await copyIntoVolume(this.docker, {
        dir: tmp,
        volume: state.workspaceVolume,
        mountPath: plan.workspace.base,
        helperImage: this.helperImage,
        name: `${state.prefix}-${dockerName(step.id || step.name)}`,
        labels: state.labels,
      });
      return { exitCode: 0, oomKilled: false };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Wraps a Docker failure in an EngineError with a readable message (EngineErrors pass through). */
  private engineError(e: unknown, what: string, code: string): EngineError {
    if (e instanceof EngineError) return e;
    if (isUnreachable(e))
      return new EngineError(
        `cannot reach the Docker engine at ${this.socketPath}: ${dockerMessage(e)}`,
        'docker_unreachable',
      );
    return new EngineError(`${what}: ${dockerMessage(e)}`, code);
  }
}
