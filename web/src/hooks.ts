// Small React hooks the pages share: loading data, a ticking clock, live repo events.
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { parseRepoEvent } from './lib/live.js';
import { openStream } from './lib/sse.js';
import type { Repo } from './lib/types.js';
import { useSession } from './session.js';

/** The state of a load. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  set: (update: (prev: T | undefined) => T | undefined) => void;
}

/** Runs `load` when `deps` change and keeps its answer (the last one wins). */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const run = useCallback(
    async () => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const value = await load();
        if (mine !== seq.current) return;
        setData(value);
        setError(undefined);
      } catch (err) {
        if (mine !== seq.current) return;
        setError(err);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` reads
    deps,
  );
  useEffect(() => {
    setData(undefined);
    void run();
  }, [run]);
  return { data, error, loading, reload: run, set: setData };
}

/** The current unix time, ticking every `ms` while `active`. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), ms);
    return () => clearInterval(t);
  }, [active, ms]);
  return active ? now : Math.floor(Date.now() / 1000);
}

/** How a page learns about changes. */
export type LiveMode = 'connecting' | 'live' | 'polling';

/**
 * Live build events of one repo (`slug`) or of every visible repo (no slug), from the server's
 * event stream. Where the server has no stream, `poll` is called every `pollMs` instead.
 */
export function useRepoEvents(
  slug: string | undefined,
  onRepo: (repo: Repo) => void,
  poll: () => void,
  pollMs = 5000,
): LiveMode {
  const { token } = useSession();
  const [mode, setMode] = useState<LiveMode>('connecting');
  const handlers = useRef({ onRepo, poll });
  handlers.current = { onRepo, poll };

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    setMode('connecting');
    const stream = openStream(slug ? `/api/stream/${slug}` : '/api/stream', {
      token,
      onOpen: (again) => {
        setMode('live');
        // Whatever happened while disconnected is read again.
        if (again) handlers.current.poll();
      },
      onDrop: () => setMode('connecting'),
      onEvent: (ev) => {
        const repo = parseRepoEvent(ev.data);
        if (repo) handlers.current.onRepo(repo);
      },
      onEnd: (end) => {
        if (end.kind === 'closed') return;
        setMode('polling');
        timer = setInterval(() => handlers.current.poll(), pollMs);
      },
    });
    return () => {
      stream.close();
      if (timer) clearInterval(timer);
    };
  }, [slug, token, pollMs]);
  return mode;
}
