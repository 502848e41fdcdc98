'use client';

import { useEffect, useState } from 'react';

import { useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { Order, OrderStatus } from '@/lib/api-types';
import { upsertWaitingOrder } from '@/lib/orders';

/** The statuses of an order still waiting at a price (sent and unanswered, open, part filled). */
const WAITING: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED'];

/**
 * The signed-in user's waiting orders for one token (every client they may see), from
 * GET /orders per waiting status, kept current by order_update. For the chart's price lines.
 */
export function useWaitingOrders(tokenId: number): readonly Order[] {
  const [orders, setOrders] = useState<{ tokenId: number; items: Order[] }>({ tokenId, items: [] });

  useEffect(() => {
    const controller = new AbortController();
    Promise.all(
      WAITING.map((status) =>
        call(
          client.GET('/api/v1/orders', {
            params: { query: { token_id: tokenId, status, limit: 500 } },
            signal: controller.signal,
          }),
        ),
      ),
    )
      .then((pages) => {
        // Events that came while loading stay applied: merge rather than overwrite.
        setOrders((cur) => {
          let items = cur.tokenId === tokenId ? cur.items : [];
          for (const o of pages.flatMap((p) => p.items)) items = upsertWaitingOrder(items, o, tokenId);
          return { tokenId, items };
        });
      })
      // Lines for orders are a help, not the chart: without them the candles still show.
      .catch(() => undefined);
    return () => controller.abort();
  }, [tokenId]);

  useRealtimeEvent('order_update', (o) => {
    setOrders((cur) => (cur.tokenId === tokenId ? { tokenId, items: upsertWaitingOrder(cur.items, o, tokenId) } : cur));
  });

  return orders.tokenId === tokenId ? orders.items : [];
}
