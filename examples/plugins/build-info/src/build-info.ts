// The build-info plugin: checks that the build produced its artifacts, then writes one JSON file into
// the workspace describing the build (repo, commit, build, tag), the artifacts (size, sha256) and the
// user's labels, optionally signed with an HMAC key from a secret. Later steps (publish, deploy,
// notify) and people downloading the artifacts read it.
import { createHash, createHmac } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, normalize, relative, resolve } from 'node:path';
import { type BuildMetadata, buildMetadata } from './drone.js';
import { type Env, PluginError, Settings, SkipRest } from './plugin.js';

/** One artifact as recorded in the file. */
export interface Artifact {
  path: string;
  size: number;
  sha256?: string;
}

/** The document the plugin writes. */
export interface BuildInfoDocument extends BuildMetadata {
  labels: Record<string, unknown>;
  artifacts: Artifact[];
  generated: string;
}

/** The plugin's settings, decoded and checked. */
export interface BuildInfoConfig {
  output: string;
  indent: number;
  checksum: boolean;
  artifacts: string[];
  onMissing: 'fail' | 'skip';
  labels: Record<string, unknown>;
  signingKey: string;
  debug: boolean;
}

/** Decodes the settings; a bad value fails with a message naming the setting. */
export function readConfig(s: Settings): BuildInfoConfig {
  return {
    output: s.string('output', 'build-info.json'),
    indent: s.number('indent', 2, { integer: true, min: 0, max: 8 }),
    checksum: s.bool('checksum', true),
    artifacts: s.list('artifacts'),
    onMissing: s.choice('on_missing', ['fail', 'skip'] as const, 'fail'),
    labels: s.object('labels') ?? {},
    signingKey: s.secret('signing_key'),
    debug: s.bool('debug', false),
  };
}

/** A path inside the workspace, as given relative to it; anything leading outside is refused. */
function inWorkspace(workspace: string, setting: string, p: string): { abs: string; rel: string } {
  const abs = resolve(workspace, p);
  const rel = relative(workspace, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new PluginError(`settings.${setting}: "${p}" is not a file inside the workspace (${workspace})`);
  }
  return { abs, rel: normalize(rel) };
}

async function describe(workspace: string, p: string, checksum: boolean): Promise<Artifact | 'missing'> {
  const { abs, rel } = inWorkspace(workspace, 'artifacts', p);
  const st = await stat(abs).catch(() => undefined);
  if (!st) return 'missing';
  if (!st.isFile()) throw new PluginError(`settings.artifacts: "${p}" is not a regular file`);
  const a: Artifact = { path: rel, size: st.size };
  if (checksum)
    a.sha256 = createHash('sha256')
      .update(await readFile(abs))
      .digest('hex');
  return a;
}

export interface RunOptions {
  env: Env;
  /** The step's working directory: the workspace unless the pipeline says otherwise. */
  cwd: string;
  now: Date;
  log: (line: string) => void;
}

/** Runs the plugin; throws PluginError (exit 1) or SkipRest (exit 78). */
export async function buildInfo(o: RunOptions): Promise<BuildInfoDocument> {
  const settings = new Settings(o.env);
  const cfg = readConfig(settings);
  if (cfg.debug) {
    // Secrets would show here too; the runner masks them in the log, but only values it knows of.
    for (const [name, value] of settings.all()) o.log(`debug: ${name}=${value}`);
  }
  const meta = buildMetadata(o.env, o.cwd);
  // Relative paths are relative to the working directory, as in a `commands` step.
  const workspace = o.cwd;
  const out = inWorkspace(workspace, 'output', cfg.output);

  const artifacts: Artifact[] = [];
  const missing: string[] = [];
  for (const p of cfg.artifacts) {
    const a = await describe(workspace, p, cfg.checksum);
    if (a === 'missing') missing.push(p);
    else artifacts.push(a);
  }
  if (missing.length > 0) {
    const what = `missing artifact${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
    if (cfg.onMissing === 'skip')
      throw new SkipRest(`${what}; nothing to describe, skipping the rest of the pipeline`);
    throw new PluginError(`${what} (set on_missing: skip to end the pipeline successfully instead)`);
  }

  const doc: BuildInfoDocument = { ...meta, labels: cfg.labels, artifacts, generated: o.now.toISOString() };
  const text = `${JSON.stringify(doc, null, cfg.indent)}\n`;
  await mkdir(dirname(out.abs), { recursive: true });
  await writeFile(out.abs, text);

  const commit = meta.commit.sha ? ` at ${meta.commit.sha.slice(0, 8)}` : '';
  o.log(`build-info: ${meta.repo.slug || '(no repo)'} #${meta.build.number} ${meta.build.event}${commit}`);
  for (const a of artifacts) o.log(`  ${a.path}  ${a.size} bytes${a.sha256 ? `  sha256:${a.sha256}` : ''}`);
  o.log(`wrote ${out.rel} (${Buffer.byteLength(text)} bytes)`);
  if (cfg.signingKey !== '') {
    const sig = createHmac('sha256', cfg.signingKey).update(text).digest('hex');
    await writeFile(`${out.abs}.sig`, `${sig}\n`);
    o.log(`signed it: ${out.rel}.sig (HMAC-SHA256)`);
  }
  return doc;
}
