/**
 * A stand-in for the socket in component tests: `vi.mock('@/hooks/useRealtime', () => realtimeHooks)` and
 * `vi.mock('@/lib/realtime', () => realtimeLib)`, then `emit('order_update', order)` delivers an event to the
 * mounted components as the socket would.
 */
import { useEffect, useRef } from 'react';

import type { ServerToClientEvents } from '@/lib/api-types';

type Event = keyof ServerToClientEvents;
type Payload<E extends Event> = Parameters<ServerToClientEvents[E]>[0];

const handlers = new Map<Event, Set<(payload: never) => void>>();

export function emit<E extends Event>(event: E, payload: Payload<E>) {
  for (const fn of handlers.get(event) ?? []) (fn as (p: Payload<E>) => void)(payload);
}

export const subscribedTokens: number[][] = [];

export const realtimeHooks = {
  useLiveQuotes: (tokenIds: readonly number[]) => {
    const key = [...tokenIds].sort().join(',');
    useEffect(() => {
      subscribedTokens.push(key ? key.split(',').map(Number) : []);
    }, [key]);
  },
  useRealtimeEvent: <E extends Event>(event: E, handler: (payload: Payload<E>) => void) => {
    const ref = useRef(handler);
    ref.current = handler;
    useEffect(() => {
      const fn = (p: Payload<E>) => ref.current(p);
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(fn as (payload: never) => void);
      return () => void set.delete(fn as (payload: never) => void);
    }, [event]);
  },
};

export const realtimeLib = {
  watchClients: () => () => undefined,
};
