'use client';

import { useEffect, useRef } from 'react';

import { useRealtimeEvent } from '@/hooks/useRealtime';
import { watchClients } from '@/lib/realtime';

/** Long enough for a burst of fills of one order to come as one re-read; short enough to feel live. */
export const CHANGE_SETTLE_MS = 500;

/**
 * Calls `onChange(clientId)` once things settle after any order or position event of these clients: a
 * placed, modified, cancelled or filled order moves the broker's cash and margin (an open order blocks margin,
 * its cancel releases it), which only a fresh read of the books shows. Joins the clients' rooms while mounted.
 */
export function useClientChanges(clientIds: readonly number[], onChange: (clientId: number) => void) {
  const key = [...new Set(clientIds)].sort((a, b) => a - b).join(',');
  const ids = useRef(new Set<number>());
  ids.current = new Set(key ? key.split(',').map(Number) : []);
  const latest = useRef(onChange);
  latest.current = onChange;
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  useEffect(() => (key ? watchClients(key.split(',').map(Number)) : undefined), [key]);
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    };
  }, []);

  const changed = (clientId: number) => {
    if (!ids.current.has(clientId)) return;
    const pending = timers.current;
    const previous = pending.get(clientId);
    if (previous) clearTimeout(previous);
    pending.set(
      clientId,
      setTimeout(() => {
        pending.delete(clientId);
        latest.current(clientId);
      }, CHANGE_SETTLE_MS),
    );
  };
  useRealtimeEvent('order_update', (o) => changed(o.client_id));
  useRealtimeEvent('position_update', (p) => changed(p.client_id));
}
