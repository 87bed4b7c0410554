// Who is signed in: the API token (localStorage) or the session cookie of a sign-in with the SCM
// (`/login`), the user it belongs to, and the API client that sends it. Pages read it with
// useSession().
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type Api, ApiError, createApi } from './lib/api.js';
import { TokenStore } from './lib/token.js';
import type { User } from './lib/types.js';

interface Session {
  api: Api;
  /** The signed-in user; undefined while loading or signed out. */
  user: User | undefined;
  /** True until the stored token (or the session cookie) has been checked. */
  checking: boolean;
  token: () => string | undefined;
  /** Checks `token` and keeps it; throws ApiError when the server refuses it. */
  signIn: (token: string) => Promise<User>;
  signOut: () => void;
}

const SessionContext = createContext<Session | undefined>(undefined);

const store = new TokenStore(typeof localStorage === 'undefined' ? undefined : localStorage);

/** Provides the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | undefined>();
  // The session cookie is HttpOnly: only asking the server tells whether there is one.
  const [checking, setChecking] = useState(true);
  const token = useCallback(() => store.get(), []);
  const api = useMemo(() => createApi({ token }), [token]);

  useEffect(() => {
    let live = true;
    api
      .user()
      .then((u) => live && setUser(u))
      .catch((err: unknown) => {
        // A token the server no longer accepts is dropped; a network failure keeps it.
        if (err instanceof ApiError && err.status === 401 && store.get() !== undefined) store.clear();
      })
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, [api]);

  const signIn = useCallback(async (value: string) => {
    const probe = createApi({ token: () => value.trim() });
    const u = await probe.user();
    store.set(value);
    setUser(u);
    return u;
  }, []);

  const signOut = useCallback(() => {
    store.clear();
    // Ends a cookie session too (the cookie is HttpOnly, only the server can clear it); the page
    // shows the guest once it is gone, so a reload right after cannot sign the user back in.
    fetch('/logout', { credentials: 'same-origin', redirect: 'manual' })
      .catch(() => {})
      .finally(() => setUser(undefined));
  }, []);

  const value = useMemo(
    () => ({ api, user, checking, token, signIn, signOut }),
    [api, user, checking, token, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session (inside SessionProvider). */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
