import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clearCookieLine,
  cookieLine,
  csrfToken,
  csrfValid,
  readCookie,
  signSession,
  verifySession,
} from './cookie.js';

const keys = { secret: Buffer.from('0123456789abcdef0123456789abcdef'), timeoutSeconds: 3600, secure: true };

test('a session names its login until it expires, and only under its key', () => {
  const value = signSession(keys, 'octo-cat.1|x', 1000);
  assert.equal(verifySession(keys, value, 1000), 'octo-cat.1|x');
  assert.equal(verifySession(keys, value, 4599), 'octo-cat.1|x');
  assert.equal(verifySession(keys, value, 4600), undefined);
  assert.equal(
    verifySession({ ...keys, secret: Buffer.from('another key of enough length!!') }, value, 1000),
    undefined,
  );
  assert.equal(verifySession(keys, `${value}x`, 1000), undefined);
  assert.equal(verifySession(keys, '', 1000), undefined);
  assert.equal(verifySession(keys, 'a.b.c', 1000), undefined);
});

test('the CSRF token is bound to the session value', () => {
  const a = signSession(keys, 'a', 0);
  const b = signSession(keys, 'b', 0);
  assert.ok(csrfValid(keys, a, csrfToken(keys, a)));
  assert.ok(!csrfValid(keys, a, csrfToken(keys, b)));
  assert.ok(!csrfValid(keys, a, undefined));
  assert.ok(!csrfValid(keys, a, [csrfToken(keys, a)]));
});

test('cookies are read by exact name and written HttpOnly, SameSite=Lax, Secure when asked', () => {
  assert.equal(readCookie('a=1; _session_=v.1.x; b=2', '_session_'), 'v.1.x');
  assert.equal(readCookie('x_session_=no', '_session_'), undefined);
  assert.equal(readCookie(undefined, '_session_'), undefined);
  assert.equal(readCookie('_session_="q"', '_session_'), 'q');
  assert.equal(
    cookieLine('_session_', 'v', { maxAge: 60, secure: true }),
    '_session_=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
  );
  assert.equal(
    clearCookieLine('_oauth_state_', { path: '/login', secure: false }),
    '_oauth_state_=deleted; Path=/login; Max-Age=0; HttpOnly; SameSite=Lax',
  );
});
