'use client';

import { useEffect, useRef } from 'react';

import { useRealtimeEvent } from '@/hooks/useRealtime';
import { watchClients } from '@/lib/realtime';

/** Long enough for a burst of fills to come as one re-read; short enough to feel live. */
export const CHANGE_SETTLE_MS = 500;
/** A steady stream of events (a big batch) still re-reads this often. */
export const CHANGE_MAX_WAIT_MS = 2000;

/**
 * Calls `onChange(clientIds)` once things settle after order or position events of these clients, with the
 * clients that changed: a placed, modified, cancelled or filled order moves the broker's cash and margin (an open
 * order blocks margin, its cancel releases it), which only a fresh read of the books shows. Events are gathered
 * so a batch across many clients is one call, not one per event. Joins the clients' rooms while mounted.
 */
export function useClientChanges(clientIds: readonly number[], onChange: (clientIds: number[]) => void) {
  const key = [...new Set(clientIds)].sort((a, b) => a - b).join(',');
  const ids = useRef(new Set<number>());
  ids.current = new Set(key ? key.split(',').map(Number) : []);
  const latest = useRef(onChange);
  latest.current = onChange;
  const pending = useRef({ ids: new Set<number>(), timer: null as ReturnType<typeof setTimeout> | null, first: 0 });

  useEffect(() => (key ? watchClients(key.split(',').map(Number)) : undefined), [key]);
  useEffect(() => {
    const p = pending.current;
    return () => {
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      p.ids.clear();
    };
  }, []);

  const changed = (clientId: number) => {
    if (!ids.current.has(clientId)) return;
    const p = pending.current;
    const now = Date.now();
    if (p.ids.size === 0) p.first = now;
    p.ids.add(clientId);
    if (p.timer) clearTimeout(p.timer);
    const wait = Math.max(0, Math.min(CHANGE_SETTLE_MS, p.first + CHANGE_MAX_WAIT_MS - now));
    p.timer = setTimeout(() => {
      const changedIds = [...p.ids];
      p.ids.clear();
      p.timer = null;
      latest.current(changedIds);
    }, wait);
  };
  useRealtimeEvent('order_update', (o) => changed(o.client_id));
  useRealtimeEvent('position_update', (u) => changed(u.client_id));
}
