// Sign in with an API token: checked against /api/user, then kept in this browser.
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../lib/api.js';
import { safeNext } from '../lib/urls.js';
import { useSession } from '../session.js';

/** `/signin`. */
export function SignInPage() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

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
      navigate(safeNext(params.get('next')), { replace: true });
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
