// Docker's errors as one readable line: dockerode puts the daemon's message in `json.message` and an
// HTTP summary in `message`; socket errors carry an errno code.

interface DockerishError {
  message?: string;
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
}

/** The daemon's own message for a failed call, or the error's message. */
export function dockerMessage(e: unknown): string {
  const err = (e ?? {}) as DockerishError;
  const msg = err.json?.message ?? err.message ?? String(e);
  return msg.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** HTTP status of a failed Docker call (0 when there was none). */
export function dockerStatus(e: unknown): number {
  return (e as DockerishError | undefined)?.statusCode ?? 0;
}

/** True when the call failed because the daemon could not be reached at all. */
export function isUnreachable(e: unknown): boolean {
  const code = (e as DockerishError | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ECONNRESET';
}
