// What a page shows when the API refuses or fails: sign in (401), not allowed (403), not found
// (404; the server also says 404 for private repos the user may not see), or the message.
import { Link, useLocation } from 'react-router';
import { ApiError } from '../lib/api.js';
import { urls } from '../lib/urls.js';

/** A full-page explanation of `error`, with a way forward. */
export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  const location = useLocation();
  const here = `${location.pathname}${location.search}${location.hash}`;
  const status = error instanceof ApiError ? error.status : -1;
  if (status === 401) {
    return (
      <section className="center-page panel pad" aria-labelledby="err-title">
        <p className="big-code">401</p>
        <h1 id="err-title">Sign in required</h1>
        <p>
          This page is not public: it belongs to a private repository (or to none by that name), or it needs
          an account. Sign in to see it.
        </p>
        <p className="row">
          <Link className="button primary" to={urls.login(here)}>
            Sign in
          </Link>
          <Link to={urls.home()}>Public repositories</Link>
        </p>
      </section>
    );
  }
  if (status === 403) {
    return (
      <section className="center-page panel pad" aria-labelledby="err-title">
        <p className="big-code">403</p>
        <h1 id="err-title">Not allowed</h1>
        <p>Your account may not do this. Ask a Hangar administrator or the repository's admin for access.</p>
        <Link to={urls.home()}>Back to your repositories</Link>
      </section>
    );
  }
  if (status === 404) {
    return (
      <section className="center-page panel pad" aria-labelledby="err-title">
        <p className="big-code">404</p>
        <h1 id="err-title">Not found</h1>
        <p>
          There is nothing here, or it belongs to a private repository you do not have access to.
          {error instanceof ApiError && error.message !== 'Not Found' ? ` (${error.message})` : ''}
        </p>
        <Link to={urls.home()}>Back to your repositories</Link>
      </section>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice error" role="alert">
      <p style={{ margin: 0 }}>{message}</p>
      {retry && (
        <button type="button" onClick={retry} style={{ marginTop: '0.5rem' }}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A short inline message for a failed action (a form, a button). */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="notice error" role="alert">
      {message}
    </p>
  );
}

/** The error a page shows when the caller lacks access: 401 for a guest, 403 when signed in. */
export function accessError(signedIn: boolean): ApiError {
  return signedIn ? new ApiError(403, 'Forbidden') : new ApiError(401, 'Unauthorized');
}

/** The page for a URL the UI does not know. */
export function NotFoundPage() {
  return <ErrorView error={new ApiError(404, 'Not Found')} />;
}
