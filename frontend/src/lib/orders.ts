/**
 * Order statuses grouped in one place (DESIGN.md §3), labels, and the ordering used to merge
 * realtime updates that may arrive out of order or twice.
 */
import type { BatchRowStatus, OrderStatus, OrderType, TradeType } from './api-types';

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
