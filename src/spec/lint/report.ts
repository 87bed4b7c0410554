// The rule ids of the linter (stable: users filter on them, tests map Drone's messages to them) and
// the small helper the rules report through.
import type { Diagnostic, Severity } from '../diagnostic.js';

/** Every lint rule: id → what it checks (drone-reference.md §3.7). */
export const LINT_RULES = {
  'duplicate-pipeline': 'pipeline names are unique in the file',
  'pipeline-dependency-unknown': 'a pipeline depends_on names an existing pipeline',
  'pipeline-dependency-forward': 'a pipeline depends only on pipelines declared before it',
  'pipeline-dependency-self': 'a pipeline does not depend on itself',
  'pipeline-dependency-cycle': 'pipeline dependencies have no cycle',
  'platform-os': 'docker pipelines run on linux or windows',
  'platform-arch': 'docker pipelines run on arm, arm64, amd64, ppc64le or s390x',
  'step-name-missing': 'every step and service has a name',
  'step-name-too-long': 'step names are at most 100 characters',
  'duplicate-step':
    'step and service names are unique in a pipeline (`clone` is taken unless clone is disabled)',
  'missing-image': 'docker and kubernetes steps have an image',
  'step-dependency-unknown': 'a step depends_on names an existing step or service',
  'step-dependency-forward': 'a step depends only on steps and services declared before it',
  'step-dependency-self': 'a step does not depend on itself',
  'step-dependency-cycle': 'step dependencies have no cycle',
  'volume-name-missing': 'pipeline volumes have a name',
  'volume-name-reserved':
    'volume names workspace, _workspace, _docker_socket (and kubernetes internals) are reserved',
  'volume-path-restricted': 'nothing is mounted under /run/drone',
  'volume-undeclared':
    'a step mounts only volumes declared in the pipeline (a warning: Drone ignores such mounts)',
  'untrusted-privileged': 'privileged mode needs a trusted repository',
  'untrusted-devices': 'devices need a trusted repository',
  'untrusted-dns': 'dns needs a trusted repository',
  'untrusted-dns-search': 'dns_search needs a trusted repository',
  'untrusted-extra-hosts': 'extra_hosts needs a trusted repository',
  'untrusted-network-mode': 'network_mode needs a trusted repository',
  'untrusted-shm-size': 'shm_size needs a trusted repository',
  'untrusted-host-port': 'host ports need a trusted repository',
  'untrusted-host-volume': 'host volumes need a trusted repository',
  'untrusted-memory-volume': 'in-memory temp volumes need a trusted repository',
  'untrusted-volume': 'kubernetes claim, config_map and secret volumes need a trusted repository',
} as const;

export type LintRule = keyof typeof LINT_RULES;

/** Collects lint findings as error diagnostics (positions are filled in by checkConfig). */
export class Report {
  readonly diagnostics: Diagnostic[] = [];

  /** An error at a field of a document: the message is `field: text`. */
  error(rule: LintRule, doc: number, field: string, text: string): void {
    this.add('error', rule, doc, field, text);
  }

  /** A warning: something Drone accepts and silently ignores. */
  warn(rule: LintRule, doc: number, field: string, text: string): void {
    this.add('warning', rule, doc, field, text);
  }

  private add(severity: Severity, rule: LintRule, doc: number, field: string, text: string): void {
    this.diagnostics.push({
      severity,
      rule,
      message: field === '' ? text : `${field}: ${text}`,
      field,
      doc,
      line: 0,
      col: 0,
    });
  }
}
