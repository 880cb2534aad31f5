// Fetches on mount and again every `intervalMs` while `active` says so; keeps the last good data.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../types.ts';
import { toApiError } from './error-box.tsx';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  refresh: () => void;
}

export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  active: (data: T | undefined) => boolean = () => true,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const dataRef = useRef<T | undefined>(undefined);
  const refresh = useCallback(() => {
    setLoading(true);
    loadRef
      .current()
      .then((next) => {
        dataRef.current = next;
        setData(next);
        setError(undefined);
      })
      .catch((failure: unknown) => setError(toApiError(failure)))
      .finally(() => setLoading(false));
  }, []);
  useEffect(() => {
    refresh();
    if (intervalMs <= 0) return undefined;
    const timer = setInterval(() => {
      if (active(dataRef.current)) refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [refresh, intervalMs]);
  return { data, error, loading, refresh };
}
