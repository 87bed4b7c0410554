// `.drone.yml` text → Manifest. Never throws: every problem, from a binary file to an alias bomb,
// becomes a diagnostic with a position. Documents are split the way Drone splits them (§3.1) and
// each is parsed on its own, so one broken document does not hide the others' problems.
import type { Diagnostic } from '../diagnostic.js';
import { composeDocument, composeDocuments } from '../yaml/compose.js';
import { isNull, type YNode } from '../yaml/node.js';
import { findNode, type Position, SourceDoc } from '../yaml/position.js';
import { splitDocuments } from '../yaml/split.js';
import { DEFAULT_BUDGET, ExpansionError, lookup } from '../yaml/walk.js';
import { Decoder } from './decoder.js';
import { decodePipeline, type Origins } from './pipeline.js';
import { decodeOther, decodeSecret, decodeSignature } from './resources.js';
import type { Manifest, Resource } from './types.js';
import { str } from './values.js';

/** Files larger than this (in characters) are refused: real configurations are a few KB. */
export const MAX_FILE_SIZE = 4 * 1024 * 1024;

/** More documents than this are refused (real files have a few dozen at most). */
export const MAX_DOCUMENTS = 10_000;

/** Kinds Hangar keeps without reading them (cron and registry are API-managed, templates server-side). */
const QUIET_KINDS = new Set(['cron', 'registry', 'template']);

export interface ParseOptions {
  /** The file's name, for messages only. */
  file?: string;
}

/** A parsed file plus what is needed to place diagnostics found later (by the linter) in its text. */
export interface ParsedConfig {
  manifest: Manifest;
  diagnostics: Diagnostic[];
  /** The position of a field path within a document; the document start when the path is missing. */
  locate(doc: number, field: string): Position | undefined;
  /** The path of a step, service or volume object within its document, e.g. `steps[3]`. */
  pathOf(obj: object): string | undefined;
}

/** Parses `.drone.yml` text into a Manifest and its diagnostics; never throws, whatever the input. */
export function parseManifest(
  text: string,
  opts: ParseOptions = {},
): { manifest: Manifest; diagnostics: Diagnostic[] } {
  const { manifest, diagnostics } = parseConfig(text, opts);
  return { manifest, diagnostics };
}

function fileDiagnostic(rule: string, message: string, pos?: Position): Diagnostic {
  return { severity: 'error', rule, message, field: '', doc: -1, line: pos?.line ?? 0, col: pos?.col ?? 0 };
}

/** Parses a file and keeps the document trees so that later diagnostics can be positioned. */
export function parseConfig(text: string, _opts: ParseOptions = {}): ParsedConfig {
  const diagnostics: Diagnostic[] = [];
  const resources: Resource[] = [];
  const origins: Origins = new WeakMap();
  const trees = new Map<number, { src: SourceDoc; root: YNode }>();
  const result: ParsedConfig = {
    manifest: { resources },
    diagnostics,
    locate(doc, field) {
      const t = trees.get(doc);
      if (!t) return undefined;
      try {
        const { node } = findNode(t.root, field, { left: DEFAULT_BUDGET });
        return t.src.position(node.start);
      } catch {
        return t.src.position(-1);
      }
    },
    pathOf: (obj) => origins.get(obj),
  };

  if (typeof text !== 'string') {
    diagnostics.push(fileDiagnostic('invalid-input', 'the configuration is not text'));
    return result;
  }
  if (text.length > MAX_FILE_SIZE) {
    const mb = (text.length / (1024 * 1024)).toFixed(1);
    diagnostics.push(fileDiagnostic('file-too-large', `file is too large: ${mb} MB (the limit is 4 MB)`));
    return result;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const pos = new SourceDoc(text, 1).position(nul);
    diagnostics.push(
      fileDiagnostic('binary-file', 'the file contains NUL bytes (is it a binary file?)', pos),
    );
    return result;
  }

  let legacyReported = false;
  const raws = splitDocuments(text);
  if (raws.length > MAX_DOCUMENTS) {
    diagnostics.push(
      fileDiagnostic(
        'too-many-documents',
        `the file has ${raws.length} documents (the limit is ${MAX_DOCUMENTS})`,
      ),
    );
    return result;
  }
  const all = composeDocuments(raws.map((r) => r.text));
  for (const raw of raws) {
    const src = new SourceDoc(raw.text, raw.line);
    const composed = all ? all[raw.index]! : composeDocument(raw.text);
    if (composed.error) {
      const { line, col } = src.position(composed.error.offset);
      diagnostics.push({
        severity: 'error',
        rule: 'yaml-syntax',
        message: `invalid YAML: ${composed.error.message}`,
        field: '',
        doc: raw.index,
        line,
        col,
      });
      continue;
    }
    const root = composed.root;
    if (root === null || isNull(root)) continue;
    trees.set(raw.index, { src, root });
    const d = new Decoder(src, raw.index, diagnostics, { left: DEFAULT_BUDGET });
    try {
      const r = decodeDocument(d, root, raw.index, origins);
      if (r === LEGACY) {
        if (!legacyReported) {
          legacyReported = true;
          const node = root.kind === 'map' ? lookup(root, 'pipeline', d.budget)?.key : undefined;
          d.error(
            'legacy-format',
            '',
            node ?? root,
            'this is a Drone 0.8 configuration (a top-level `pipeline:` map); Hangar reads the Drone 1.x format: ' +
              'documents with `kind: pipeline` and a `steps:` list (`drone convert` translates old files)',
          );
        }
      } else if (r) {
        resources.push(r);
      }
    } catch (e) {
      if (e instanceof ExpansionError) d.error('yaml-aliases', '', root, e.message);
      else if (e instanceof RangeError) d.error('yaml-depth', '', root, 'the document is nested too deeply');
      else d.error('internal', '', root, 'internal error while reading this document');
    }
  }
  return result;
}

const LEGACY = Symbol('legacy');

function decodeDocument(
  d: Decoder,
  root: YNode,
  index: number,
  origins: Origins,
): Resource | null | typeof LEGACY {
  if (root.kind !== 'map') {
    d.typeError('', root, 'a mapping with a kind (a pipeline, secret or signature)');
    return null;
  }
  const k = lookup(root, 'kind', d.budget);
  const kind = k ? str(d, k.value, 'kind') : '';
  if (kind === '') {
    if (k && k.value.kind !== 'scalar') return null; // already reported as a wrong type
    if (lookup(root, 'pipeline', d.budget)) return LEGACY;
    d.error('required', 'kind', root, 'required (every document needs a kind, e.g. `kind: pipeline`)');
    return null;
  }
  switch (kind) {
    case 'pipeline':
      return decodePipeline(d, root, index, origins);
    case 'secret':
      return decodeSecret(d, root, index);
    case 'signature':
      return decodeSignature(d, root, index);
    default:
      if (!QUIET_KINDS.has(kind)) {
        d.warn('unknown-kind', 'kind', k?.value, `unknown kind "${kind}"; the document is ignored`);
      }
      return decodeOther(d, root, kind, index);
  }
}
