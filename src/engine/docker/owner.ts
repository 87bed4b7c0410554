// Who owns an engine resource: host name, process id and that process's start time (so a reused pid
// is not mistaken for the owner). Resources of a dead owner on this host are orphans.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The process that created a resource. */
export interface Owner {
  host: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), or empty when unknown. */
  started: string;
}

/** Start time of process `pid` from /proc, or empty when it cannot be read. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

/** This process as an owner. */
export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid, started: processStart(process.pid) };
}

/** True when `owner` runs on this host and its process is gone (or its pid now belongs to another process). */
export function ownerIsDead(owner: Owner, host = hostname()): boolean {
  if (owner.host !== host || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (!owner.started) return false;
  const now = processStart(owner.pid);
  return now !== '' && now !== owner.started;
}
