// `/account`: who is signed in, and a new API token for the CLI and scripts (after signing in with
// the SCM the browser holds a session cookie, not a token). Only a token's hash is stored, so the
// server cannot show the current one: making a new one replaces it.
import { useState } from 'react';
import { ApiError } from '../lib/api.js';
import { useSession } from '../session.js';

/** `/account`. */
export function AccountPage() {
  const { api, user, token: storedToken, signIn } = useSession();
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!user) return null;

  const create = async () => {
    if (!window.confirm('Make a new API token? The current one stops working at once.')) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.newToken();
      // This browser's own token was the old one: it keeps working with the new one.
      if (storedToken() !== undefined) await signIn(answer.token);
      setToken(answer.token);
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="center-page panel pad" aria-labelledby="account-title">
      <h1 id="account-title">{user.login}</h1>
      <p className="muted">
        {user.email || 'no email'}
        {user.admin ? ' · administrator' : ''}
      </p>
      <h2>API token</h2>
      <p>
        The command line (<code>HANGAR_TOKEN</code>) and scripts call the API with a token.
        {storedToken() ? ' This browser is signed in with one.' : ''} Hangar keeps only a hash of it, so it
        cannot show the current one again: a new one replaces it.
      </p>
      {token && (
        <div className="field">
          <label htmlFor="new-token">Your new token (shown only now)</label>
          <input
            id="new-token"
            readOnly
            value={token}
            spellCheck={false}
            onFocus={(e) => e.target.select()}
          />
        </div>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <button type="button" onClick={create} disabled={busy}>
        {busy ? 'Making a token…' : 'Make a new API token'}
      </button>
    </section>
  );
}
