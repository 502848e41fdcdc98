'use client';

import { useCallback, useEffect, useState } from 'react';

import { call, client } from '@/lib/api';
import type { ExecuteBody } from '@/lib/allocation';
import { parsePreview, type Preview } from '@/lib/preview';

/**
 * POSTs `body` to /orders/preview while it is non-null (the server sends nothing and needs no
 * Idempotency-Key) and parses the answer. A new body drops the old answer, so the dialog never
 * shows the preview of a different order than the one Confirm sends.
 */
export function usePreview(body: ExecuteBody | null) {
  const [state, setState] = useState<{ data: Preview | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: false,
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!body) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    let live = true;
    setState({ data: null, error: null, loading: true });
    call(client.POST('/api/v1/orders/preview', { body }))
      .then((json) => {
        if (live) setState({ data: parsePreview(json), error: null, loading: false });
      })
      .catch((err: unknown) => {
        if (live) setState({ data: null, error: err instanceof Error ? err : new Error(String(err)), loading: false });
      });
    return () => {
      live = false;
    };
  }, [body, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
