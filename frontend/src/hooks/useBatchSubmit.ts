'use client';

import { useCallback, useRef, useState } from 'react';

import { api, ApiError } from '@/lib/api';
import type { Batch } from '@/lib/api-types';
import { isUncertainFailure, SubmissionKey } from '@/lib/idempotency';
import { useBatchStore } from '@/stores/batches';

import { toApiError } from './useApi';

export interface BatchSubmitState {
  submitting: boolean;
  error: ApiError | null;
  /** The last failure may have reached the server: a retry reuses the idempotency key. */
  uncertain: boolean;
  batchId: number | null;
}

/**
 * POSTs a batch request (execute-all, exit-by-token) with an Idempotency-Key header. The key is
 * made once per request body and reused when the same body is sent again after a failure, so
 * a retry after a network error returns the batch the first attempt may have created.
 */
export function useBatchSubmit(path: string | null) {
  const keys = useRef(new SubmissionKey());
  const [state, setState] = useState<BatchSubmitState>({
    submitting: false,
    error: null,
    uncertain: false,
    batchId: null,
  });

  const submit = useCallback(
    async (body: unknown): Promise<Batch | null> => {
      if (!path) return null;
      const key = keys.current.keyFor(body);
      setState((s) => ({ ...s, submitting: true, error: null }));
      try {
        const batch = await api.post<Batch>(path, body, { headers: { 'Idempotency-Key': key } });
        keys.current.settle();
        useBatchStore.getState().applySnapshot(batch);
        setState({ submitting: false, error: null, uncertain: false, batchId: batch.batch_id });
        return batch;
      } catch (err) {
        setState((s) => ({ ...s, submitting: false, error: toApiError(err), uncertain: isUncertainFailure(err) }));
        return null;
      }
    },
    [path],
  );

  const reset = useCallback(() => {
    keys.current.settle();
    setState({ submitting: false, error: null, uncertain: false, batchId: null });
  }, []);

  const clearError = useCallback(() => setState((s) => ({ ...s, error: null })), []);

  return { ...state, submit, reset, clearError };
}
