import { describe, expect, it } from 'vitest';

import { bookOrder } from '@/test/fixtures';

import { ApiError } from './api';
import type { Order } from './api-types';
import { cancelEach, cancellableIds, groupByBatch, groupSummary, orderSide, ordersQuery } from './order-book';
import { emptyOrderFilters } from './orders';

const order = (id: number, patch: Partial<Order> = {}): Order =>
  bookOrder(id, {
    client_id: 1,
    client_name: 'Asha',
    broker_order_id: 'B1',
    created_at: '2026-12-01T04:00:00Z',
    updated_at: '2026-12-01T04:00:00Z',
    ...patch,
  });

describe('ordersQuery', () => {
  it('sends only the filters that are set, ids as numbers, with pagination', () => {
    expect(ordersQuery(emptyOrderFilters(), 50, 0)).toEqual({ limit: 50, offset: 0 });
    expect(
      ordersQuery({ client_id: '3', token_id: '2885', status: 'OPEN', date_from: '2026-11-01', date_to: '2026-11-30' }, 50, 100),
    ).toEqual({ client_id: 3, token_id: 2885, status: 'OPEN', date_from: '2026-11-01', date_to: '2026-11-30', limit: 50, offset: 100 });
  });

  it('drops a status the API does not know rather than sending it', () => {
    expect(ordersQuery({ ...emptyOrderFilters(), status: 'SKIPPED' }, 10, 0)).toEqual({ limit: 10, offset: 0 });
  });
});

describe('groupByBatch', () => {
  it("keeps a batch's orders together where its newest appears; lone orders stand alone", () => {
    const list = [order(6, { batch_id: 2 }), order(5), order(4, { batch_id: 1 }), order(3, { batch_id: 2 }), order(2, { batch_id: 1 })];
    const groups = groupByBatch(list);
    expect(groups.map((g) => [g.batchId, g.orders.map((o) => o.id)])).toEqual([
      [2, [6, 3]],
      [null, [5]],
      [1, [4, 2]],
    ]);
  });

  it('counts a batch by status', () => {
    expect(groupSummary([order(1, { status: 'FILLED' }), order(2), order(3, { status: 'FILLED' })])).toBe('3 orders · 1 open · 2 filled');
    expect(groupSummary([order(1, { status: 'REJECTED' })])).toBe('1 order · 1 rejected');
  });

  it('offers only open and part-filled orders for cancelling', () => {
    expect(cancellableIds([order(1), order(2, { status: 'FILLED' }), order(3, { status: 'PARTIALLY_FILLED' }), order(4, { status: 'PENDING' })])).toEqual([1, 3]);
  });
});

describe('cancelEach', () => {
  it('says per order what happened, and one refusal does not stop the others', async () => {
    const results = await cancelEach([1, 2, 3], async (id) => {
      if (id === 2) throw new ApiError('ORDER_NOT_OPEN', 'The order is no longer open', 409);
      if (id === 3) return order(3, { status: 'FILLED' }); // filled before the cancel reached the broker
      return order(id, { status: 'CANCELLED' });
    });
    expect(results.map((r) => [r.id, r.ok, r.message])).toEqual([
      [1, true, 'Cancelled'],
      [2, false, 'The order is no longer open'],
      [3, false, 'Not cancelled: the order is filled'],
    ]);
    expect(results[2]!.order?.status).toBe('FILLED');
  });

  it('never has more than `concurrency` cancels in flight, and keeps the order of the ids', async () => {
    let inFlight = 0;
    let most = 0;
    const ids = [9, 8, 7, 6, 5, 4, 3];
    const results = await cancelEach(
      ids,
      async (id) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, id));
        inFlight -= 1;
        return order(id, { status: 'CANCELLED' });
      },
      3,
    );
    expect(most).toBe(3);
    expect(results.map((r) => r.id)).toEqual(ids);
  });

  it('does nothing for an empty selection', async () => {
    expect(await cancelEach([], async () => order(1))).toEqual([]);
  });
});

describe('orderSide', () => {
  it('names an exit with its side, and an entry by its side alone', () => {
    expect(orderSide({ execution: 'EXIT', side: 'SELL' })).toBe('EXIT (SELL)');
    expect(orderSide({ execution: 'SELL', side: 'SELL' })).toBe('SELL');
  });
});
