import { beforeEach, describe, expect, it } from 'vitest';

import type { Batch, BatchProgress, BatchRow, Order } from '@/lib/api-types';

import { batchRows, batchTotals, mergeRow, useBatchStore } from './batches';

const row = (client_id: number, order_id: number | null, status: BatchRow['status'] = 'PENDING'): BatchRow => ({
  client_id,
  client_name: `Client ${client_id}`,
  order_id,
  status,
  reason: null,
  quantity: 10,
  filled_quantity: status === 'FILLED' ? 10 : 0,
  average_price: status === 'FILLED' ? '1420.00' : null,
  trade_type: 'INTRADAY',
});

function batch(rows: BatchRow[], status: Batch['status'] = 'RUNNING'): Batch {
  return {
    batch_id: 7,
    kind: 'EXECUTE_ALL',
    status,
    token_id: 2885,
    symbol: 'RELIANCE',
    created_at: '2026-11-23T09:00:00Z',
    finished_at: null,
    counts: {
      total: rows.length,
      done: 0,
      pending: rows.length,
      open: 0,
      partially_filled: 0,
      filled: 0,
      cancelled: 0,
      denied: 0,
      rejected: 0,
      failed: 0,
      skipped: 0,
    },
    rows,
  };
}

const progress = (client_id: number, order_id: number | null, status: BatchProgress['status'], extra: Partial<BatchProgress> = {}): BatchProgress => ({
  batch_id: 7,
  client_id,
  order_id,
  status,
  reason: null,
  done: 0,
  total: 3,
  ...extra,
});

const view = () => useBatchStore.getState().batches[7];
const statuses = () => batchRows(view()).map((r) => `${r.client_id}:${r.status}`);

beforeEach(() => useBatchStore.setState({ batches: {} }));

describe('batch progress store', () => {
  it('applies batch_progress events to the rows of the snapshot', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101), row(2, 102), row(3, 103)]));
    s.applyProgress(progress(1, 101, 'FILLED', { done: 1 }));
    s.applyProgress(progress(2, 102, 'REJECTED', { reason: 'Insufficient margin', done: 2 }));
    s.applyProgress(progress(3, 103, 'OPEN', { done: 3 }));
    expect(statuses()).toEqual(['1:FILLED', '2:REJECTED', '3:OPEN']);
    expect(batchRows(view())[1]?.reason).toBe('Insufficient margin');
    expect(view()?.status).toBe('RUNNING');
  });

  it('totals: resolved, closed and per outcome', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101), row(2, 102), row(3, 103), row(4, null, 'SKIPPED'), row(5, 105)]));
    s.applyProgress(progress(1, 101, 'FILLED'));
    s.applyProgress(progress(2, 102, 'FAILED', { reason: 'timeout' }));
    s.applyProgress(progress(3, 103, 'PARTIALLY_FILLED', { filled_quantity: 4 }));
    expect(batchTotals(view())).toEqual({
      total: 5,
      resolved: 4,
      closed: 2,
      pending: 1,
      open: 1,
      filled: 1,
      rejected: 0,
      failed: 1,
      skipped: 1,
      cancelled: 0,
      filledQuantity: 4,
      byStatus: {
        PENDING: 1,
        OPEN: 0,
        PARTIALLY_FILLED: 1,
        FILLED: 1,
        CANCELLED: 0,
        DENIED: 0,
        REJECTED: 0,
        FAILED: 1,
        SKIPPED: 1,
      },
    });
  });

  it('counts rows the server reported but this page has not seen as pending', () => {
    const s = useBatchStore.getState();
    s.applyProgress({ ...progress(1, 101, 'DENIED'), total: 3 });
    const t = batchTotals(view());
    expect(t.byStatus).toMatchObject({ DENIED: 1, PENDING: 2 });
    expect(t.rejected).toBe(1);
  });

  it('is idempotent: the same event twice changes nothing', () => {
    const s = useBatchStore.getState();
    const filled = progress(1, 101, 'FILLED', { filled_quantity: 10, average_price: '1420.00' });
    s.applySnapshot(batch([row(1, 101), row(2, 102)]));
    s.applyProgress(filled);
    const once = useBatchStore.getState().batches;
    s.applyProgress(filled);
    s.applySnapshot(batch([row(1, 101, 'FILLED'), row(2, 102)]));
    expect(useBatchStore.getState().batches[7]).toEqual(once[7]);
    expect(batchTotals(view()).filled).toBe(1);
  });

  it('is out-of-order safe: a late PENDING or OPEN never overwrites FILLED', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101), row(2, 102)]));
    s.applyProgress(progress(1, 101, 'FILLED', { filled_quantity: 10 }));
    s.applyProgress(progress(1, 101, 'OPEN', { filled_quantity: 0 }));
    s.applyProgress(progress(1, 101, 'PENDING'));
    // An older snapshot, fetched before the fill, arriving after it.
    s.applySnapshot(batch([row(1, 101, 'PENDING'), row(2, 102, 'PENDING')]));
    expect(statuses()).toEqual(['1:FILLED', '2:PENDING']);
    expect(batchRows(view())[0]?.filled_quantity).toBe(10);
  });

  it('FAILED (no answer) gives way to the reconciled verdict, not the other way round', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101)]));
    s.applyProgress(progress(1, 101, 'FAILED'));
    s.applyProgress(progress(1, 101, 'FILLED'));
    s.applyProgress(progress(1, 101, 'FAILED'));
    expect(statuses()).toEqual(['1:FILLED']);
  });

  it('a closed row keeps its first verdict', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101)]));
    s.applyProgress(progress(1, 101, 'REJECTED', { reason: 'RMS' }));
    s.applyProgress(progress(1, 101, 'CANCELLED'));
    expect(statuses()).toEqual(['1:REJECTED']);
    expect(batchRows(view())[0]?.reason).toBe('RMS');
  });

  it('events that arrive before the snapshot are kept and merged into its rows', () => {
    const s = useBatchStore.getState();
    s.applyProgress(progress(2, 102, 'FILLED', { total: 2 }));
    s.applyProgress(progress(9, null, 'SKIPPED', { total: 2 }));
    expect(batchTotals(view()).total).toBe(2);
    s.applySnapshot(batch([row(9, null, 'PENDING'), row(2, 102, 'PENDING')]));
    expect(statuses()).toEqual(['9:SKIPPED', '2:FILLED']);
    expect(batchRows(view()).map((r) => r.client_name)).toEqual(['Client 9', 'Client 2']);
    expect(view()?.status).toBe('COMPLETED');
  });

  it('keeps one row per order when a client has several (exit per trade type)', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101), { ...row(1, 102), trade_type: 'DELIVERY' }]));
    s.applyProgress(progress(1, 102, 'FILLED'));
    expect(batchRows(view()).map((r) => `${r.order_id}:${r.trade_type}:${r.status}`)).toEqual([
      '101:INTRADAY:PENDING',
      '102:DELIVERY:FILLED',
    ]);
  });

  it('takes order_update events for followed batches only', () => {
    const s = useBatchStore.getState();
    const order = {
      id: 101,
      client_id: 1,
      client_name: 'Client 1',
      batch_id: 7,
      status: 'PARTIALLY_FILLED',
      reason: null,
      filled_quantity: 6,
      average_price: '1420.10',
      quantity: 10,
      trade_type: 'INTRADAY',
    } as Order;
    s.applyOrderUpdate({ ...order, batch_id: 8 });
    expect(useBatchStore.getState().batches[8]).toBeUndefined();
    s.applySnapshot(batch([row(1, 101)]));
    s.applyOrderUpdate(order);
    expect(batchRows(view())[0]).toMatchObject({ status: 'PARTIALLY_FILLED', filled_quantity: 6, average_price: '1420.10' });
  });

  it('completes when the server says so, or when every row is closed', () => {
    const s = useBatchStore.getState();
    s.applySnapshot(batch([row(1, 101), row(2, 102)]));
    s.applyProgress(progress(1, 101, 'FILLED', { total: 2 }));
    expect(view()?.status).toBe('RUNNING');
    s.applyProgress(progress(2, 102, 'DENIED', { total: 2 }));
    expect(view()?.status).toBe('COMPLETED');
    // An OPEN limit order: the server may call the batch COMPLETED with a live row.
    s.applySnapshot({ ...batch([row(3, 103, 'OPEN')], 'COMPLETED'), batch_id: 8 });
    expect(useBatchStore.getState().batches[8]?.status).toBe('COMPLETED');
  });

  it('keeps how a sized row was sized through events, whichever came first', () => {
    const sizing = {
      method: 'fixed',
      price: '1400.00',
      price_source: 'market' as const,
      multiplier: '2.00',
      inputs: { quantity: '5' },
      raw_quantity: '10.0000',
      quantity: 10,
    };
    const s = useBatchStore.getState();
    s.applyProgress(progress(1, 101, 'OPEN', { total: 1 }));
    s.applySnapshot(batch([{ ...row(1, 101), sizing }]));
    s.applyProgress(progress(1, 101, 'FILLED', { filled_quantity: 10, total: 1 }));
    s.applyOrderUpdate({ id: 101, batch_id: 7, client_id: 1, status: 'FILLED', quantity: 10, filled_quantity: 10 } as Order);
    expect(batchRows(view())[0]?.sizing).toEqual(sizing);
    expect(statuses()).toEqual(['1:FILLED']);
  });

  it('mergeRow fills static facts whatever the order', () => {
    const early = mergeRow(undefined, { client_id: 1, order_id: 5, status: 'FILLED' });
    const merged = mergeRow(early, { ...row(1, 5, 'PENDING') });
    expect(merged).toMatchObject({ status: 'FILLED', client_name: 'Client 1', quantity: 10, order_id: 5 });
  });
});
