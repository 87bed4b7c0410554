// Keeps clone credentials out of argv, trace lines and output: userinfo in a remote URL is moved into
// a netrc entry, and whatever is secret in the netrc is redacted from git's output.
import type { CloneSource } from '../engine.js';

export interface NetrcEntry {
  machine: string;
  login: string;
  password: string;
}

// Fixed logins/passwords that forges use next to a token (GitHub, GitLab, Bitbucket): not secret.
const PLACEHOLDERS = new Set(['x-oauth-basic', 'oauth2', 'x-token-auth']);

/** The remote without userinfo, and the credentials to use for it (explicit netrc wins). */
export function splitCredentials(src: CloneSource): { remote: string; netrc?: NetrcEntry } {
  let remote = src.remote;
  let netrc: NetrcEntry | undefined = src.netrc ? { ...src.netrc } : undefined;
  if (/^https?:\/\//i.test(remote)) {
    try {
      const url = new URL(remote);
      if (url.username || url.password) {
        netrc ??= {
          machine: url.hostname,
          login: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        };
        url.username = '';
        url.password = '';
        remote = url.toString();
      }
    } catch {
      // Not a parseable URL: git will report it; nothing to strip.
    }
  }
  return netrc ? { remote, netrc } : { remote };
}

/** The values of a netrc entry that must never be shown (the token may be the login or the password). */
export function netrcSecrets(netrc: { login: string; password: string } | undefined): string[] {
  if (!netrc) return [];
  return [netrc.login, netrc.password].filter((v) => v.length > 0 && !PLACEHOLDERS.has(v));
}

/** Netrc file contents (one entry). */
export function netrcFile(n: NetrcEntry): string {
  return `machine ${n.machine}\nlogin ${n.login}\npassword ${n.password}\n`;
}

/** Replaces secrets in text that arrives in chunks, releasing only whole lines (`\n` or `\r`). */
export class LineRedactor {
  private buf = '';

  constructor(
    private readonly secrets: string[],
    private readonly sink: (text: string) => void,
  ) {}

  /** Adds output; whole lines go out redacted, a partial line waits. */
  write(chunk: string): void {
    this.buf += chunk;
    const cut = Math.max(this.buf.lastIndexOf('\n'), this.buf.lastIndexOf('\r'));
    if (cut === -1) return;
    this.sink(redact(this.buf.slice(0, cut + 1), this.secrets));
    this.buf = this.buf.slice(cut + 1);
  }

  /** Releases the partial line (redacted). */
  end(): void {
    if (this.buf) this.sink(redact(this.buf, this.secrets));
    this.buf = '';
  }
}

/** Replaces every secret (longest first) with `******`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s) out = out.split(s).join('******');
  }
  return out;
}
