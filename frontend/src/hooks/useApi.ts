'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError } from '@/lib/api';

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

/**
 * Runs `load` for `key` (null: nothing yet) and keeps the result; runs again when `key` changes or on
 * reload(). `key` names what is loaded (e.g. the path with its query): `load` itself is not compared.
 *
 *   useApiData(`clients:${offset}`, (signal) =>
 *     call(client.GET('/api/v1/clients', { params: { query: { offset } }, signal })));
 */
export function useApiData<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): ApiState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const [nonce, setNonce] = useState(0);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;

  // A different resource: forget the previous one rather than show it under the new heading.
  if (key !== loadedKey) {
    setLoadedKey(key);
    setDataState(undefined);
    setError(null);
    setLoading(key !== null);
  }

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setLoading(true);
    loadRef
      .current(controller.signal)
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
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((update: (prev: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}

