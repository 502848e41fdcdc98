'use client';

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';

import { useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { ApiError, call, client } from '@/lib/api';
import { epochSeconds, parseBarsResponse, parseBarsFrame, type BarInterval } from '@/lib/bars';
import { initialLiveBars, liveBarsReducer, loadKey, type LiveBarsState } from '@/lib/live-bars';
import { frameUpdates } from '@/stores/quotes';
import { useRealtimeStore } from '@/stores/realtime';

/**
 * Candles of one token at one interval: GET /market/bars, then kept live by the socket's
 * `bars` frames (the live candle) and `prices` frames (ticks between them). Reloads after the socket
 * reconnects, since updates sent while it was down are lost.
 */
export function useBars(tokenId: number, interval: BarInterval): LiveBarsState & { reload: () => void } {
  const [state, dispatch] = useReducer(liveBarsReducer, initialLiveBars);
  const [reloads, setReloads] = useState(0);
  const key = loadKey(tokenId, interval, reloads);
  const keyRef = useRef(key);
  keyRef.current = key;

  // Subscribing the token is what makes the server send its prices and bars.
  useLiveQuotes([tokenId]);

  useEffect(() => {
    dispatch({ type: 'load', key, interval });
    const controller = new AbortController();
    call(client.GET('/api/v1/market/bars', { params: { query: { token_id: tokenId, interval } }, signal: controller.signal }))
      .then((body: unknown) => {
        const parsed = parseBarsResponse(body);
        dispatch({ type: 'loaded', key, candles: parsed.candles });
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const message = err instanceof ApiError ? err.message : 'The candles could not be read.';
        dispatch({ type: 'failed', key, error: message });
      });
    return () => controller.abort();
  }, [key, tokenId, interval]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  // A reconnect (not the first connect): the updates sent while the socket was down are lost.
  const connected = useRealtimeStore((s) => s.status === 'connected');
  const seen = useRef({ connected, lost: false });
  useEffect(() => {
    const s = seen.current;
    if (connected && s.lost) reload();
    s.lost = (s.lost || s.connected) && !connected;
    s.connected = connected;
  }, [connected, reload]);

  useRealtimeEvent('bars', (frame) => {
    for (const u of parseBarsFrame(frame, tokenId)) {
      dispatch({ type: 'bar', key: keyRef.current, candle: u.candle, candleInterval: u.interval });
    }
  });
  useRealtimeEvent('prices', (frame) => {
    const p = frameUpdates(frame).find((q) => q.token_id === tokenId);
    const time = p ? epochSeconds(p.ts) : null;
    if (!p || time === null) return;
    dispatch({ type: 'tick', key: keyRef.current, price: Number(p.ltp), time });
  });

  return { ...state, reload };
}
