/**
 * The order book's logic: its filters as the API's query, rows grouped by the batch that placed
 * them, and cancelling several orders at once with one answer per order.
 */
import type { operations } from './api-schema';
import type { Order, OrderStatus } from './api-types';
import { errorText } from './errors';
import { isOpen, ORDER_STATUSES, sideLabel, STATUS_LABEL, type OrderFilters } from './orders';

export type OrdersQuery = NonNullable<operations['list_orders_api_v1_orders_get']['parameters']['query']>;

const isStatus = (s: string): s is OrderStatus => (ORDER_STATUSES as readonly string[]).includes(s);

/** GET /orders's query for the filters that are set ('' means any), with pagination. */
export function ordersQuery(f: OrderFilters, limit: number, offset: number): OrdersQuery {
  const q: OrdersQuery = {};
  if (/^\d+$/.test(f.client_id)) q.client_id = Number(f.client_id);
  if (/^\d+$/.test(f.token_id)) q.token_id = Number(f.token_id);
  if (isStatus(f.status)) q.status = f.status;
  if (f.date_from !== '') q.date_from = f.date_from;
  if (f.date_to !== '') q.date_to = f.date_to;
  return { ...q, limit, offset };
}

/** Rows of one batch (an execute-all or exit-by-token), or a single order placed on its own. */
export interface OrderGroup {
  /** null: an order placed on its own */
  batchId: number | null;
  orders: Order[];
}

/**
 * The page's orders with each batch's orders together, at the place its newest one appears (the
 * list is newest first); an order without a batch is a group of its own. Order within a group is kept.
 */
export function groupByBatch(orders: readonly Order[]): OrderGroup[] {
  const groups: OrderGroup[] = [];
  const byBatch = new Map<number, OrderGroup>();
  for (const o of orders) {
    if (o.batch_id === null) {
      groups.push({ batchId: null, orders: [o] });
      continue;
    }
    const known = byBatch.get(o.batch_id);
    if (known) {
      known.orders.push(o);
    } else {
      const group = { batchId: o.batch_id, orders: [o] };
      byBatch.set(o.batch_id, group);
      groups.push(group);
    }
  }
  return groups;
}

/** "3 orders · 2 filled · 1 open": a batch's rows counted by status, in the book's order of statuses. */
export function groupSummary(orders: readonly Order[]): string {
  const counts = new Map<OrderStatus, number>();
  for (const o of orders) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const parts = ORDER_STATUSES.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${STATUS_LABEL[s].toLowerCase()}`);
  return [`${orders.length} order${orders.length === 1 ? '' : 's'}`, ...parts].join(' · ');
}

/** The ids among these that can still be cancelled. */
export const cancellableIds = (orders: readonly Order[]): number[] => orders.filter((o) => isOpen(o.status)).map((o) => o.id);

/** What happened to one order of a multi-cancel. */
export interface CancelResult {
  id: number;
  /** true: the order is CANCELLED now */
  ok: boolean;
  /** The order as the server returned it (also when the broker had already filled it). */
  order?: Order;
  message: string;
}

/**
 * Cancels each order (at most `concurrency` requests at a time, so a large selection does not
 * trip the order rate limit all at once) and says per order what happened: cancelled, what the
 * order turned out to be instead (e.g. filled before the cancel arrived), or the refusal's sentence.
 * One failure never stops the others. Results come in the order of `ids`.
 */
export async function cancelEach(
  ids: readonly number[],
  cancel: (id: number) => Promise<Order>,
  concurrency = 4,
): Promise<CancelResult[]> {
  const results: CancelResult[] = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i]!;
      try {
        const order = await cancel(id);
        results[i] =
          order.status === 'CANCELLED'
            ? { id, ok: true, order, message: 'Cancelled' }
            : { id, ok: false, order, message: `Not cancelled: the order is ${STATUS_LABEL[order.status].toLowerCase()}` };
      } catch (err) {
        results[i] = { id, ok: false, message: errorText(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return results;
}

/** An order's side as every page names it (lib/orders `sideLabel`): "EXIT (SELL)" for an exit, else "BUY" / "SELL". */
export function orderSide(o: Pick<Order, 'execution' | 'side'>): string {
  return sideLabel(o.execution, o.side);
}
