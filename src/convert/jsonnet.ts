// Evaluates a `.drone.jsonnet` into the YAML documents the rest of Hangar reads, as Drone's jsonnet
// converter does: the build's ext vars, a top-level array becomes one document per element, an
// object one document. The evaluator is the optional native addon @hanazuki/node-jsonnet, loaded on
// first use. Imports come from the repository through `read` (disk for the CLI, git or the SCM API
// for the server): the files the source names are fetched first (findImports), within the import
// limit and the repository, and laid out in a private temporary folder that the evaluation runs in.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findImports, JsonnetScanError, resolveImport } from './jsonnet-imports.js';

/** A Jsonnet file that cannot be evaluated; the message is one `file:line:col: …` line. */
export class JsonnetError extends Error {
  override name = 'JsonnetError';
}

/** The addon is not installed (or did not build on this machine). */
export class JsonnetUnavailableError extends JsonnetError {
  override name = 'JsonnetUnavailableError';
}

/**
 * Files a configuration may import unless configured otherwise. Drone's default is 0, which turns
 * imports off and is a known stumbling block (its FAQ tells users to set DRONE_JSONNET_IMPORT_LIMIT).
 */
export const DEFAULT_IMPORT_LIMIT = 50;

/** What an evaluation needs. */
export interface JsonnetInput {
  /** Repository-relative path of the file: names it in errors and anchors relative imports. */
  file: string;
  source: string;
  /** std.extVar values (jsonnetExtVars). */
  extVars: Record<string, string>;
  /** Reads another file of the repository by its repository-relative path; throws when it cannot. */
  read: (path: string) => Promise<string>;
  /** Most files that may be imported (0 = no imports). */
  importLimit: number;
  /** Module name of the addon (tests name a missing one). */
  addon?: string;
}

/** The part of the addon's API Hangar uses. */
interface JsonnetVm {
  // The addon's methods, whatever its bundled types say (setMaxStack, not maxStack).
  setMaxStack(n: number): void;
  setMaxTrace(n: number): void;
  extString(key: string, value: string): JsonnetVm;
  evaluateSnippet(snippet: string, filename?: string): Promise<string>;
}
type JsonnetClass = new () => JsonnetVm;

const ADDON = '@hanazuki/node-jsonnet';
const loaded = new Map<string, Promise<JsonnetClass | undefined>>();

function loadAddon(name: string): Promise<JsonnetClass | undefined> {
  let p = loaded.get(name);
  if (!p) {
    // A variable specifier: the package is optional, so its types may be absent at build time.
    p = import(name).then(
      (m: { Jsonnet?: JsonnetClass }) => m.Jsonnet,
      () => undefined,
    );
    loaded.set(name, p);
  }
  return p;
}

/** Whether the Jsonnet addon can be loaded on this machine. */
export async function jsonnetAvailable(addon = ADDON): Promise<boolean> {
  return (await loadAddon(addon)) !== undefined;
}

/** Evaluates `input` and returns its documents as one YAML stream (`---` before each). */
export async function evaluateJsonnet(input: JsonnetInput): Promise<string> {
  const Jsonnet = await loadAddon(input.addon ?? ADDON);
  if (!Jsonnet) {
    throw new JsonnetUnavailableError(
      `${input.file}: jsonnet support is not installed (the optional package ${ADDON} is missing or did not build; it needs cmake and g++: run \`npm install\`)`,
    );
  }
  const files = await gatherImports(input);
  const dir = await mkdtemp(join(tmpdir(), 'hangar-jsonnet-'));
  try {
    for (const [path, text] of files) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    // Drone's limits: a stack of 500 frames, traces of 20 lines.
    const vm = new Jsonnet();
    vm.setMaxStack(500);
    vm.setMaxTrace(20);
    for (const [k, v] of Object.entries(input.extVars)) vm.extString(k, v);
    let json: string;
    try {
      json = await vm.evaluateSnippet(input.source, join(dir, input.file));
    } catch (err) {
      throw new JsonnetError(formatError(String((err as Error).message ?? err), `${dir}/`, input.file));
    }
    return toYamlStream(json);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every file the source imports, transitively, read through `input.read` (the source itself included). */
async function gatherImports(input: JsonnetInput): Promise<Map<string, string>> {
  const files = new Map<string, string>([[input.file, input.source]]);
  const scanned = new Set<string>();
  const queue = [input.file];
  let count = 0;
  while (queue.length > 0) {
    const from = queue.shift() as string;
    if (scanned.has(from)) continue;
    scanned.add(from);
    let refs: ReturnType<typeof findImports>;
    try {
      refs = findImports(files.get(from) as string);
    } catch (err) {
      if (!(err instanceof JsonnetScanError)) throw err;
      throw new JsonnetError(`${from}:${err.line}:${err.col}: ${err.message}`);
    }
    for (const ref of refs) {
      const at = `${from}:${ref.line}:${ref.col}`;
      const path = resolveImport(from, ref.path);
      if (path === undefined) {
        throw new JsonnetError(
          `${at}: cannot import "${ref.path}": only files inside the repository can be imported`,
        );
      }
      if (!files.has(path)) {
        count++;
        if (count > input.importLimit) {
          throw new JsonnetError(
            input.importLimit === 0
              ? `${at}: cannot import "${ref.path}": imports are disabled (the import limit is 0)`
              : `${at}: cannot import "${ref.path}": more than ${input.importLimit} files imported (the import limit)`,
          );
        }
        let text: string;
        try {
          text = await input.read(path);
        } catch (err) {
          throw new JsonnetError(`${at}: cannot import "${ref.path}": ${(err as Error).message}`);
        }
        files.set(path, text);
      }
      // importstr/importbin content is data, not code: only `import`ed files are scanned in turn.
      if (ref.kind === 'import') queue.push(path);
    }
  }
  return files;
}

/** Jsonnet's JSON result as YAML documents: an array is one document per element, anything else one. */
export function toYamlStream(json: string): string {
  const value: unknown = JSON.parse(json);
  const docs = Array.isArray(value) ? value : [value];
  return docs.map((d) => `---\n${JSON.stringify(d, null, 2)}\n`).join('');
}

// `path:line:col`, `path:line:col-col` or `path:(line:col)-(line:col)`.
const LOCATION = /^(.+?):(?:\((\d+):(\d+)\)-\(\d+:\d+\)|(\d+):(\d+)(?:-\d+)?)$/;

/** Jsonnet's message as one `file:line:col: message` line, paths relative to the repository. */
export function formatError(raw: string, prefix: string, file: string): string {
  const text = raw.split(prefix).join('');
  const lines = text.split('\n').map((l) => l.trimEnd());
  const first = lines[0] ?? '';
  const stat = /^STATIC ERROR: (.+?): (.*)$/.exec(first);
  if (stat) {
    const loc = LOCATION.exec(stat[1] as string);
    if (loc) return `${loc[1]}:${loc[2] ?? loc[4]}:${loc[3] ?? loc[5]}: ${stat[2]}`;
    return `${file}: ${stat[2]}`;
  }
  const message = first.replace(/^RUNTIME ERROR: /, '');
  // The first frame of the trace that names a place is where the error was raised.
  for (const l of lines.slice(1)) {
    const where = l.trim().split('\t')[0] ?? '';
    const loc = LOCATION.exec(where);
    if (loc) return `${loc[1]}:${loc[2] ?? loc[4]}:${loc[3] ?? loc[5]}: ${message}`;
  }
  return `${file}: ${message}`;
}
