import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';

export interface Loaded<T> {
  /** null while loading (and after a failed load). */
  data: T | null;
  /** What to show people when loading (or a later action) failed; null when all is well. */
  error: string | null;
  setData: Dispatch<SetStateAction<T | null>>;
  setError: (message: string | null) => void;
  /** Loads again (after a change); the answer of an earlier load still in flight is dropped. */
  reload: () => Promise<void>;
}

/**
 * What a view shows from one GET: loads on mount and whenever `deps` change, turns a failure into a
 * message with `errorText`, and drops answers that arrive after a newer load started (switching
 * spaces quickly must not show the previous space's list), or after the view is gone.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], errorText: (e: unknown) => string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The newest load and message maker, without making them dependencies (both are rebuilt each render).
  const latest = useRef({ load, errorText });
  latest.current = { load, errorText };
  const current = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    current.current?.abort();
    const ctl = new AbortController();
    current.current = ctl;
    try {
      const value = await latest.current.load(ctl.signal);
      if (!ctl.signal.aborted) {
        setData(value);
        setError(null);
      }
    } catch (e) {
      if (!ctl.signal.aborted) setError(latest.current.errorText(e));
    }
  }, []);

  useEffect(() => {
    setData(null);
    setError(null);
    void reload();
    return () => current.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the load depends on.
  }, deps);

  return { data, error, setData, setError, reload };
}
