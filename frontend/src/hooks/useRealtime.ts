'use client';

import { useEffect, useRef } from 'react';

import { call, client } from '@/lib/api';
import {
  onRealtime,
  refreshBatch,
  startRealtime,
  stopRealtime,
  subscribeTokens,
  watchBatch,
  type RealtimeEvent,
} from '@/lib/realtime';
import { batchTotals, useBatchStore, type BatchView } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRealtimeStore } from '@/stores/realtime';
import type { ServerToClientEvents } from '@/lib/api-types';

/** Keeps the socket open while the signed-in shell is mounted. */
export function useRealtimeConnection(enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    startRealtime();
    return () => stopRealtime();
  }, [enabled]);
}

/**
 * Live prices for these tokens: the first quote from GET /market/quotes, then `prices` frames
 * (subscribed now and after every reconnect). Read them with useQuotesStore / useLtp.
 */
export function useLiveQuotes(tokenIds: readonly number[]) {
  const key = [...new Set(tokenIds)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    if (key === '') return;
    const ids = key.split(',').map(Number);
    const release = subscribeTokens(ids);
    const controller = new AbortController();
    call(client.GET('/api/v1/market/quotes', { params: { query: { token_ids: key } }, signal: controller.signal }))
      .then((quotes) => useQuotesStore.getState().applyMany(quotes))
      // Prices then come from the socket alone; the UI shows "—" until one arrives.
      .catch(() => undefined);
    return () => {
      controller.abort();
      release();
    };
  }, [key]);
}

/** Calls `handler` for every `event` from the server while mounted (the latest handler). */
export function useRealtimeEvent<E extends RealtimeEvent>(
  event: E,
  handler: (payload: Parameters<ServerToClientEvents[E]>[0]) => void,
) {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => onRealtime(event, (p) => ref.current(p)), [event]);
}

/**
 * Follows a batch: joins its room (and re-joins after reconnects), and polls GET /batches/{id}
 * as a safety net — every 3 s while the socket is down, every 5 s while connected until every
 * row has an outcome. Returns the merged view from the batch store.
 */
export function useBatch(batchId: number | null): BatchView | undefined {
  const view = useBatchStore((s) => (batchId == null ? undefined : s.batches[batchId]));
  const connected = useRealtimeStore((s) => s.status === 'connected');
  const totals = batchTotals(view);
  const settled = view?.status === 'COMPLETED' || (totals.total > 0 && totals.closed === totals.total);
  const resolved = totals.total > 0 && totals.pending === 0;

  useEffect(() => {
    if (batchId == null) return;
    return watchBatch(batchId);
  }, [batchId]);

  const poll = batchId != null && !settled && (!connected || !resolved);
  useEffect(() => {
    if (!poll || batchId == null) return;
    const timer = setInterval(() => void refreshBatch(batchId), connected ? 5000 : 3000);
    return () => clearInterval(timer);
  }, [poll, batchId, connected]);

  return view;
}
