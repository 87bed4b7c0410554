// The browser session (drone-reference.md §5.2): the `_session_` cookie holds the login and an
// expiry signed with HMAC-SHA256 under the cookie secret, as Drone's (dchest/authcookie) does, so
// any replica with the same secret accepts it and nothing is kept server-side. A session that only
// the cookie authenticates must also send `X-CSRF-Token` on writes: an HMAC of the cookie value,
// which the server hands out in a response header and a page on another site cannot read.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** File of the generated cookie key in the data directory (when HANGAR_COOKIE_SECRET is unset). */
export const COOKIE_KEY_FILE = 'cookie.key';

/** Name of the session cookie (Drone's). */
export const SESSION_COOKIE = '_session_';

/** Header a cookie-authenticated write must carry, and that answers give the token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** How session cookies are made. */
export interface CookieKeys {
  /** HMAC key (HANGAR_COOKIE_SECRET or the generated cookie.key). */
  readonly secret: Buffer;
  /** Lifetime of a session in seconds. */
  readonly timeoutSeconds: number;
  /** Send cookies only over https. */
  readonly secure: boolean;
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function mac(secret: Buffer, purpose: string, text: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\0${text}`).digest();
}

/** Constant-time equality of two strings. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of a session cookie for `login`, valid until `now + timeout`. */
export function signSession(keys: CookieKeys, login: string, nowSeconds: number): string {
  const body = `${b64(login)}.${nowSeconds + keys.timeoutSeconds}`;
  return `${body}.${b64(mac(keys.secret, 'session', body))}`;
}

/** The login a session cookie value names, if its signature holds and it has not expired. */
export function verifySession(keys: CookieKeys, value: string, nowSeconds: number): string | undefined {
  const m = /^([A-Za-z0-9_-]{1,700})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return undefined;
  const body = `${m[1]}.${m[2]}`;
  const given = Buffer.from(m[3] as string, 'base64url');
  const want = mac(keys.secret, 'session', body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
  if (Number(m[2]) <= nowSeconds) return undefined;
  const login = Buffer.from(m[1] as string, 'base64url').toString('utf8');
  return login === '' ? undefined : login;
}

/** The CSRF token of a session: bound to the cookie value, so a new sign-in makes a new one. */
export function csrfToken(keys: Pick<CookieKeys, 'secret'>, sessionValue: string): string {
  return b64(mac(keys.secret, 'csrf', sessionValue));
}

/** Whether `given` is the CSRF token of the session. */
export function csrfValid(keys: Pick<CookieKeys, 'secret'>, sessionValue: string, given: unknown): boolean {
  return typeof given === 'string' && sameText(given, csrfToken(keys, sessionValue));
}

/** One cookie's value from a `Cookie` header (the first of that name), undefined when absent. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/** Options of a Set-Cookie line. */
export interface CookieOptions {
  path?: string;
  maxAge: number;
  secure: boolean;
}

/** A `Set-Cookie` value: HttpOnly and SameSite=Lax always (the OAuth return is a top-level GET). */
export function cookieLine(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, `Max-Age=${options.maxAge}`, 'HttpOnly'];
  parts.push('SameSite=Lax');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A `Set-Cookie` value that removes the cookie. */
export function clearCookieLine(name: string, options: Omit<CookieOptions, 'maxAge'>): string {
  return cookieLine(name, 'deleted', { ...options, maxAge: 0 });
}
