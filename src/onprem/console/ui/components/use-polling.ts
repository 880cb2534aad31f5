// Polls an API call for a view (poller.ts): at most one request in flight, the next one only after
// the answer or its deadline (POLL_DEADLINE_MS: then a named error, and the next poll asks again);
// keeps the last good data. Every page is re-created when its address changes (main.tsx
// keys it by route), so a late answer for the previous address is dropped with its poller.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../../wire.ts';
import { GET_DEADLINE_MS, toApiError } from '../api.ts';
import { createPoller, type Poller } from '../poller.ts';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Asks now (once more after the request in flight, if any); `forced` reaches `load`. */
  refresh: (forced?: boolean) => void;
}

/** How long a polled request may take before the view says so and asks again (getJson's deadline). */
const POLL_DEADLINE_MS = GET_DEADLINE_MS;

export function usePolling<T>(
  /** `signal` aborts the request when its deadline passes or the view goes (pass it to getJson). */
  load: (forced: boolean, signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  active: (data: T | undefined) => boolean = () => true,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const activeRef = useRef(active);
  activeRef.current = active;
  const dataRef = useRef<T | undefined>(undefined);
  const forcedRef = useRef(false);
  const pollerRef = useRef<Poller | undefined>(undefined);
  useEffect(() => {
    const poller = createPoller<T>({
      load: (signal) => {
        const forced = forcedRef.current;
        forcedRef.current = false;
        return loadRef.current(forced, signal);
      },
      intervalMs,
      timeoutMs: POLL_DEADLINE_MS,
      active: () => activeRef.current(dataRef.current),
      onData: (next) => {
        dataRef.current = next;
        setData(next);
        setError(undefined);
      },
      onError: (failure) => setError(toApiError(failure)),
      onLoading: setLoading,
    });
    pollerRef.current = poller;
    poller.start();
    return () => poller.stop();
  }, [intervalMs]);
  const refresh = useCallback((forced = false) => {
    if (forced) forcedRef.current = true;
    pollerRef.current?.refresh();
  }, []);
  return { data, error, loading, refresh };
}
