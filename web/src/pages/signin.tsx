// Sign in with the SCM (a link to the server's `/login`, when it has an OAuth client) or with an
// API token: checked against /api/user, then kept in this browser. `?error=` is the server's reason
// a sign-in with the SCM failed.
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../lib/api.js';
import { safeNext } from '../lib/urls.js';
import { useSession } from '../session.js';

/** `/signin`. */
export function SignInPage() {
  const { signIn, api } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [scm, setScm] = useState<{ name: string; url: string } | undefined>();
  const scmError = params.get('error');

  useEffect(() => {
    let live = true;
    api
      .loginOptions()
      .then((o) => live && o.name && o.url && setScm({ name: o.name, url: o.url }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [api]);
  const next = safeNext(params.get('next'));
  const scmHref = scm ? (next === '/' ? scm.url : `${scm.url}?next=${encodeURIComponent(next)}`) : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (token.trim() === '') {
      setError('Paste your API token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token);
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'The server does not accept this token. Check that you copied all of it, and that the account is active.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="center-page panel pad" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Hangar</h1>
      {scmError && (
        <p className="notice error" role="alert">
          {scmError}
        </p>
      )}
      {scm && scmHref && (
        <>
          <p>
            <a className="button" href={scmHref}>
              Sign in with {scm.name}
            </a>
          </p>
          <p className="muted">Or with an API token:</p>
        </>
      )}
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-describedby="token-hint"
            aria-invalid={error ? true : undefined}
            // biome-ignore lint/a11y/noAutofocus: the only field of the page
            autoFocus
          />
          <span id="token-hint" className="hint">
            <code>hangar server</code> prints the administrator's token the first time it starts; an admin can
            create accounts and tokens for others. The token is kept in this browser only.
          </span>
        </div>
        {error && (
          <p className="notice error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
