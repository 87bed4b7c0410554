// `hangar lint`: parse + lint, every diagnostic placed in the file and sorted by position.
import type { Diagnostic } from './diagnostic.js';
import { lintManifest } from './lint/index.js';
import { type ParsedConfig, parseConfig } from './manifest/parse.js';
import type { Manifest } from './manifest/types.js';

export interface CheckOptions {
  file?: string;
  /** Lint as a trusted repository (privileged, host volumes, … allowed). */
  trusted: boolean;
}

/** At most this many diagnostics are returned (a machine-made file can have thousands). */
export const MAX_DIAGNOSTICS = 1000;

/** True when `field` is `parent` or lies inside it (`steps[0].image` inside `steps[0]`). */
function within(field: string, parent: string): boolean {
  return field === parent || field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`);
}

/** Parses and lints a configuration; never throws. Diagnostics are sorted by line and column. */
export function checkConfig(
  text: string,
  opts: CheckOptions,
): { manifest: Manifest; diagnostics: Diagnostic[] } {
  return checkParsed(parseConfig(text, { file: opts.file }), opts);
}

/** Lints an already parsed configuration (parse once, lint at several trust levels). */
export function checkParsed(
  parsed: ParsedConfig,
  opts: CheckOptions,
): { manifest: Manifest; diagnostics: Diagnostic[] } {
  const diagnostics = [...parsed.diagnostics];
  // A field that could not be read already has its error; the linter would only add an echo of it
  // (an image given as a list is also a missing image).
  const broken = parsed.diagnostics.filter((d) => d.severity === 'error' && d.field !== '');
  for (const d of lintManifest(parsed.manifest, { trusted: opts.trusted, pathOf: parsed.pathOf })) {
    if (broken.some((b) => b.doc === d.doc && (within(d.field, b.field) || within(b.field, d.field))))
      continue;
    const pos = parsed.locate(d.doc, d.field);
    if (pos) {
      d.line = pos.line;
      d.col = pos.col;
    }
    diagnostics.push(d);
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  if (diagnostics.length > MAX_DIAGNOSTICS) {
    const more = diagnostics.length - MAX_DIAGNOSTICS;
    diagnostics.length = MAX_DIAGNOSTICS;
    diagnostics.push({
      severity: diagnostics.some((d) => d.severity === 'error') ? 'error' : 'warning',
      rule: 'too-many-diagnostics',
      message: `${more} more problems not shown`,
      field: '',
      doc: -1,
      line: 0,
      col: 0,
    });
  }
  return { manifest: parsed.manifest, diagnostics };
}
