/**
 * Order statuses grouped in one place (DESIGN.md §3), labels, and the ordering used to merge
 * realtime updates that may arrive out of order or twice.
 */
import type { BatchRowStatus, Closes, Execution, OrderStatus, OrderType, Side, TradeType } from './api-types';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'PENDING',
  'OPEN',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELLED',
  'DENIED',
  'REJECTED',
  'FAILED',
];

/** Written by us, no broker verdict yet (FAILED: no answer, being reconciled). */
export const IN_FLIGHT_STATUSES: ReadonlySet<BatchRowStatus> = new Set(['PENDING', 'FAILED']);
/** Live at the broker: can still fill, be modified or cancelled. */
export const OPEN_STATUSES: ReadonlySet<BatchRowStatus> = new Set(['OPEN', 'PARTIALLY_FILLED']);
/** Final: nothing more will happen (SKIPPED: a batch row for which no order was needed). */
export const CLOSED_STATUSES: ReadonlySet<BatchRowStatus> = new Set([
  'FILLED',
  'CANCELLED',
  'DENIED',
  'REJECTED',
  'SKIPPED',
]);

export const isClosed = (s: BatchRowStatus) => CLOSED_STATUSES.has(s);
export const isOpen = (s: BatchRowStatus) => OPEN_STATUSES.has(s);

/**
 * How far along a status is. An update never moves a row to a lower rank, so a late PENDING
 * cannot overwrite FILLED and a replayed event changes nothing. FAILED (no answer yet) sits above
 * PENDING but below any broker verdict, which reconciliation may still bring.
 */
export function statusRank(s: BatchRowStatus): number {
  switch (s) {
    case 'PENDING':
      return 0;
    case 'FAILED':
      return 1;
    case 'OPEN':
      return 2;
    case 'PARTIALLY_FILLED':
      return 3;
    default:
      return 4; // closed
  }
}

export const STATUS_LABEL: Record<BatchRowStatus, string> = {
  PENDING: 'Pending',
  OPEN: 'Open',
  PARTIALLY_FILLED: 'Part filled',
  FILLED: 'Filled',
  CANCELLED: 'Cancelled',
  DENIED: 'Denied',
  REJECTED: 'Rejected',
  FAILED: 'Failed (reconciling)',
  SKIPPED: 'Skipped',
};

export type StatusTone = 'neutral' | 'info' | 'good' | 'bad' | 'warn';

export const STATUS_TONE: Record<BatchRowStatus, StatusTone> = {
  PENDING: 'neutral',
  OPEN: 'info',
  PARTIALLY_FILLED: 'info',
  FILLED: 'good',
  CANCELLED: 'neutral',
  DENIED: 'bad',
  REJECTED: 'bad',
  FAILED: 'warn',
  SKIPPED: 'neutral',
};

export const TRADE_TYPES: ReadonlyArray<{ value: TradeType; label: string }> = [
  { value: 'MTF', label: 'MTF' },
  { value: 'INTRADAY', label: 'Intraday' },
  { value: 'DELIVERY', label: 'Delivery' },
];

export const ORDER_TYPES: ReadonlyArray<{ value: OrderType; label: string }> = [
  { value: 'MARKET', label: 'Market' },
  { value: 'LIMIT', label: 'Limit' },
  { value: 'SL', label: 'SL' },
  { value: 'SL-M', label: 'SL-M' },
];

/** LIMIT and SL carry a limit price; SL and SL-M a trigger price. */
export const needsPrice = (t: OrderType) => t === 'LIMIT' || t === 'SL';
export const needsTrigger = (t: OrderType) => t === 'SL' || t === 'SL-M';

export const TRADE_TYPE_LABEL: Record<TradeType, string> = {
  MTF: 'MTF',
  INTRADAY: 'Intraday',
  DELIVERY: 'Delivery',
};

/**
 * An order's direction as every page names it: "BUY", "SELL", and for an exit the side it took,
 * "EXIT (SELL)" closing a long or "EXIT (BUY)" covering a short. One label, so the desk, the exit
 * page, the order book and the audit log never call the same order two names.
 */
export function sideLabel(execution: Execution, side: Side): string {
  return execution === 'EXIT' ? `EXIT (${side})` : side;
}

/** The side an exit takes for a net position: a long is sold, a short bought back. */
export const exitSide = (netQuantity: number): Side => (netQuantity < 0 ? 'BUY' : 'SELL');

/** What an exit row closed: the position book, the demat holding (sold as Delivery), or both. */
export const CLOSES_LABEL: Record<Closes, string> = {
  POSITION: 'closes the position',
  HOLDING: 'sells the demat holding',
  HOLDING_AND_POSITION: "sells the demat holding and today's delivery buys",
};

function instant(iso: string): number {
  const t = Date.parse(/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Which of two versions of the same order to show: the further status wins (a late OPEN never
 * replaces FILLED); at the same status the later `updated_at` wins (e.g. a modify); a closed
 * order's first verdict stays.
 */
export function preferOrder<T extends { status: BatchRowStatus; updated_at: string }>(current: T, incoming: T): T {
  const rc = statusRank(current.status);
  const ri = statusRank(incoming.status);
  if (ri !== rc) return ri > rc ? incoming : current;
  if (isClosed(current.status) && current.status !== incoming.status) return current;
  return instant(incoming.updated_at) >= instant(current.updated_at) ? incoming : current;
}

/** A list of orders with one order replaced by its newer version; null when it is not in the list. */
export function mergeOrderInto<T extends { id: number; status: BatchRowStatus; updated_at: string }>(
  list: readonly T[],
  incoming: T,
): T[] | null {
  const i = list.findIndex((o) => o.id === incoming.id);
  if (i < 0) return null;
  const next = preferOrder(list[i]!, incoming);
  return next === list[i] ? [...list] : list.map((o, j) => (j === i ? next : o));
}

export interface OrderFilters {
  client_id: string;
  token_id: string;
  status: string;
  /** YYYY-MM-DD (calendar day, inclusive) */
  date_from: string;
  date_to: string;
}

export const emptyOrderFilters = (): OrderFilters => ({
  client_id: '',
  token_id: '',
  status: '',
  date_from: '',
  date_to: '',
});

/** Whether a live order belongs in a list with these filters (dates are left to the server). */
export function matchesFilters(o: { client_id: number; token_id: number; status: string }, f: OrderFilters): boolean {
  return (
    (f.client_id === '' || String(o.client_id) === f.client_id) &&
    (f.token_id === '' || String(o.token_id) === f.token_id) &&
    (f.status === '' || o.status === f.status)
  );
}

/**
 * A list of one token's waiting orders (sent, open or part filled) after an order_update: a newer
 * version replaces its order (an older one never wins, see preferOrder), a new waiting order of
 * the token joins, and an order that is no longer waiting leaves.
 */
export function upsertWaitingOrder<T extends { id: number; token_id: number; status: BatchRowStatus; updated_at: string }>(
  list: readonly T[],
  incoming: T,
  tokenId: number,
): T[] {
  if (incoming.token_id !== tokenId) return [...list];
  const merged = mergeOrderInto(list, incoming) ?? [...list, incoming];
  return merged.filter((o) => isOpen(o.status) || o.status === 'PENDING');
}
