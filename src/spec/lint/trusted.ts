// Step features that reach into the host: only trusted repositories may use them (drone-runner-docker
// engine/linter; host ports from drone-yaml's linter).
import type { Pipeline } from '../manifest/types.js';
import type { Report } from './report.js';
import { declarationOrder, type PathOf } from './steps.js';

function hasHostPort(ports: unknown[] | undefined): boolean {
  return (ports ?? []).some(
    (p) => typeof p === 'object' && p !== null && Number((p as { host?: unknown }).host) !== 0,
  );
}

/** Reports the trusted-only step features of a pipeline of an untrusted repository. */
export function lintTrusted(p: Pipeline, pathOf: PathOf, r: Report): void {
  const doc = p.docIndex;
  for (const { step: s, path } of declarationOrder(p, pathOf)) {
    if (s.privileged) {
      r.error(
        'untrusted-privileged',
        doc,
        `${path}.privileged`,
        'untrusted repositories cannot enable privileged mode',
      );
    }
    if (s.devices.length > 0)
      r.error('untrusted-devices', doc, `${path}.devices`, 'untrusted repositories cannot mount devices');
    if (s.dns.length > 0)
      r.error('untrusted-dns', doc, `${path}.dns`, 'untrusted repositories cannot configure dns');
    if (s.dns_search.length > 0) {
      r.error(
        'untrusted-dns-search',
        doc,
        `${path}.dns_search`,
        'untrusted repositories cannot configure dns_search',
      );
    }
    if (s.extra_hosts.length > 0) {
      r.error(
        'untrusted-extra-hosts',
        doc,
        `${path}.extra_hosts`,
        'untrusted repositories cannot configure extra_hosts',
      );
    }
    if (s.network_mode !== '') {
      r.error(
        'untrusted-network-mode',
        doc,
        `${path}.network_mode`,
        'untrusted repositories cannot configure network_mode',
      );
    }
    if (s.shm_size > 0)
      r.error(
        'untrusted-shm-size',
        doc,
        `${path}.shm_size`,
        'untrusted repositories cannot configure shm_size',
      );
    if (hasHostPort(s.ports))
      r.error(
        'untrusted-host-port',
        doc,
        `${path}.ports`,
        'untrusted repositories cannot map to a host port',
      );
  }
}
