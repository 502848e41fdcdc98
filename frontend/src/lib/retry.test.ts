import { describe, expect, it } from 'vitest';

import type { BatchRow } from '@/lib/api-types';
import type { BatchView } from '@/stores/batches';

import { isRetryableRow, retryableRows, toRetryRequest } from './retry';

function row(order_id: number, status: BatchRow['status'], reason: string | null = null): BatchRow {
  return {
    client_id: order_id,
    client_name: `C${order_id}`,
    order_id,
    status,
    reason,
    trade_type: 'DELIVERY',
    quantity: 10,
    filled_quantity: 0,
    average_price: null,
    closes: null,
  } as BatchRow;
}

function view(rows: BatchRow[], extra: Partial<BatchView> = {}): BatchView {
  return {
    batch_id: 1,
    kind: 'EXECUTE_ALL',
    token_id: 2885,
    status: 'COMPLETED',
    keys: rows.map((r) => `o${r.order_id}`),
    rows: Object.fromEntries(rows.map((r) => [`o${r.order_id}`, r])),
    total: rows.length,
    ...extra,
  };
}

describe('retryable rows', () => {
  it('offers REJECTED and NOT_AT_BROKER rows, never FAILED ones that may be at the broker', () => {
    expect(isRetryableRow(row(1, 'REJECTED', 'INSUFFICIENT_MARGIN'))).toBe(true);
    expect(isRetryableRow(row(2, 'CANCELLED', 'NOT_AT_BROKER: the broker has no order'))).toBe(true);
    expect(isRetryableRow(row(3, 'CANCELLED', 'cancelled by the advisor'))).toBe(false);
    expect(isRetryableRow(row(4, 'FAILED', 'NO_ANSWER: timed out'))).toBe(false);
    expect(isRetryableRow(row(5, 'DENIED', 'RISK_LIMIT'))).toBe(false);
    expect(isRetryableRow(row(6, 'FILLED'))).toBe(false);
  });

  it('lists them only once the batch has finished, and never for an exit', () => {
    const rows = [row(1, 'FILLED'), row(2, 'REJECTED', 'RMS'), row(3, 'FAILED', 'NO_ANSWER')];
    expect(retryableRows(view(rows)).map((r) => r.order_id)).toEqual([2]);
    expect(retryableRows(view([...rows, row(4, 'PENDING')], { status: 'RUNNING' }))).toEqual([]);
    expect(retryableRows(view(rows, { kind: 'EXIT_BY_TOKEN' }))).toEqual([]);
    expect(retryableRows(undefined)).toEqual([]);
  });

  it('sends a new price only for a priced batch and only when one is typed', () => {
    expect(toRetryRequest(true, ' 1400.05 ')).toEqual({ price: '1400.05' });
    expect(toRetryRequest(true, '')).toEqual({});
    expect(toRetryRequest(false, '1400.05')).toEqual({});
  });
});
