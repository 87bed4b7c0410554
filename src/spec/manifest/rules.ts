// The rule ids of the parser's diagnostics (the linter's are in lint/report.ts): stable, so that
// tools and users can filter on them.

/** Every parser rule: id → what it reports. */
export const PARSE_RULES = {
  'invalid-input': 'the configuration is not text',
  'file-too-large': 'the file is over the size limit (4 MB)',
  'binary-file': 'the file contains NUL bytes',
  'too-many-documents': 'the file has more documents than the limit (10 000)',
  'too-many-diagnostics': 'more problems than are shown (1000)',
  'yaml-syntax': 'the YAML cannot be parsed',
  'yaml-aliases': 'aliases expand the document beyond the limit',
  'yaml-depth': 'the document is nested too deeply',
  'legacy-format': 'a Drone 0.8 configuration (top-level `pipeline:` map)',
  required: 'a required field is missing (`kind`, a secret name)',
  'unknown-kind': 'a kind Hangar does not know; the document is ignored',
  'unknown-field': 'a field the resource does not have (warning)',
  'duplicate-key': 'a key given twice in one mapping; the last value is used (warning)',
  'invalid-type': 'a value of the wrong shape (a list where a string is expected, …)',
  'invalid-value': 'a value out of its set (pull policy, failure mode, size, integer range)',
  'invalid-merge': 'a `<<` merge whose value is not a mapping or a list of mappings',
  'nil-step': 'an empty entry in steps or services',
  'missing-build-image': 'a `build` without an image (drone-yaml)',
  'invalid-secret': 'a secret with neither data nor something to look up',
  'invalid-signature': 'a signature without an hmac',
  internal: 'an unexpected failure while reading a document (a bug)',
} as const;

export type ParseRule = keyof typeof PARSE_RULES;
