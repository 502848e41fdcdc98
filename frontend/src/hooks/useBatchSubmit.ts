'use client';

import { useCallback, useRef, useState } from 'react';

import type { ApiError } from '@/lib/api';
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
 * Sends one batch request through the typed client with the given Idempotency-Key, e.g.
 *   (body, key) => call(client.POST('/api/v1/orders/execute-all', { body, params: { header: { 'Idempotency-Key': key } } }))
 */
export type BatchSender<B> = (body: B, idempotencyKey: string) => Promise<Batch>;

/**
 * POSTs a batch request (execute-all, exit-by-token, retry) with an Idempotency-Key header. The key is
 * made once per request body and reused when the same body is sent again after a failure, so
 * a retry after a network error returns the batch the first attempt may have created. `send` may be a
 * new function each render: the latest one is used.
 */
export function useBatchSubmit<B>(send: BatchSender<B> | null) {
  const sendRef = useRef(send);
  sendRef.current = send;
  const keys = useRef(new SubmissionKey());
  const [state, setState] = useState<BatchSubmitState>({
    submitting: false,
    error: null,
    uncertain: false,
    batchId: null,
  });

  const submit = useCallback(
    async (body: B): Promise<Batch | null> => {
      const sender = sendRef.current;
      if (!sender) return null;
      const key = keys.current.keyFor(body);
      setState((s) => ({ ...s, submitting: true, error: null }));
      try {
        const batch = await sender(body, key);
        keys.current.settle();
        useBatchStore.getState().applySnapshot(batch);
        setState({ submitting: false, error: null, uncertain: false, batchId: batch.batch_id });
        return batch;
      } catch (err) {
        setState((s) => ({ ...s, submitting: false, error: toApiError(err), uncertain: isUncertainFailure(err) }));
        return null;
      }
    },
    [],
  );

  const reset = useCallback(() => {
    keys.current.settle();
    setState({ submitting: false, error: null, uncertain: false, batchId: null });
  }, []);

  const clearError = useCallback(() => setState((s) => ({ ...s, error: null })), []);

  return { ...state, submit, reset, clearError };
}
