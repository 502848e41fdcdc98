'use client';

import { useCallback, useEffect, useState } from 'react';

import { api, ApiError } from '@/lib/api';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | null;
  /** True while a request is in flight (also during a reload that keeps the old data). */
  loading: boolean;
  reload: () => void;
  /** Local edits (e.g. after a mutation or a realtime event). */
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('UNEXPECTED', 'Something went wrong. Please try again.', 0);
}

/** GET `path` (null: nothing yet) and keep the result; refetches when `path` changes or on reload(). */
export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [nonce, setNonce] = useState(0);
  const [loadedPath, setLoadedPath] = useState<string | null>(null);

  // A different resource: forget the previous one rather than show it under the new heading.
  if (path !== loadedPath) {
    setLoadedPath(path);
    setDataState(undefined);
    setError(null);
    setLoading(path !== null);
  }

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    api
      .get<T>(path, { signal: controller.signal })
      .then((result) => {
        setDataState(result);
        setError(null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(toApiError(err));
        setLoading(false);
      });
    return () => controller.abort();
  }, [path, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((update: (prev: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}
