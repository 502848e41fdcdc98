import { describe, expect, it } from 'vitest';

import {
  emptyOrderFilters,
  isClosed,
  matchesFilters,
  mergeOrderInto,
  needsPrice,
  needsTrigger,
  ordersPath,
  preferOrder,
  statusRank,
} from './orders';

const o = (id: number, status: string, updated_at: string, extra: object = {}) =>
  ({ id, status, updated_at, ...extra }) as { id: number; status: 'OPEN'; updated_at: string };

describe('order status groups', () => {
  it('ranks statuses so that nothing moves back', () => {
    expect(statusRank('PENDING')).toBeLessThan(statusRank('FAILED'));
    expect(statusRank('FAILED')).toBeLessThan(statusRank('OPEN'));
    expect(statusRank('OPEN')).toBeLessThan(statusRank('PARTIALLY_FILLED'));
    for (const s of ['FILLED', 'CANCELLED', 'DENIED', 'REJECTED', 'SKIPPED'] as const) {
      expect(isClosed(s)).toBe(true);
      expect(statusRank(s)).toBeGreaterThan(statusRank('PARTIALLY_FILLED'));
    }
    expect(isClosed('FAILED')).toBe(false);
  });

  it('knows which prices an order type takes', () => {
    expect([needsPrice('MARKET'), needsPrice('LIMIT'), needsPrice('SL'), needsPrice('SL-M')]).toEqual([false, true, true, false]);
    expect([needsTrigger('MARKET'), needsTrigger('LIMIT'), needsTrigger('SL'), needsTrigger('SL-M')]).toEqual([false, false, true, true]);
  });
});

describe('preferOrder / mergeOrderInto', () => {
  it('keeps the further status whatever arrives last', () => {
    const filled = o(1, 'FILLED', '2026-11-23T09:00:02Z');
    const open = o(1, 'OPEN', '2026-11-23T09:00:03Z');
    expect(preferOrder(filled, open)).toBe(filled);
    expect(preferOrder(open, filled)).toBe(filled);
  });

  it('at the same status the later update wins (a modify)', () => {
    const a = o(1, 'OPEN', '2026-11-23T09:00:02Z', { price: '10' });
    const b = o(1, 'OPEN', '2026-11-23T09:00:05Z', { price: '11' });
    expect(preferOrder(a, b)).toBe(b);
    expect(preferOrder(b, a)).toBe(b);
  });

  it('merges into a list, or says the order is not there', () => {
    const list = [o(1, 'OPEN', '2026-11-23T09:00:00Z'), o(2, 'OPEN', '2026-11-23T09:00:00Z')];
    const merged = mergeOrderInto(list, o(2, 'FILLED', '2026-11-23T09:00:01Z'));
    expect(merged?.map((x) => x.status)).toEqual(['OPEN', 'FILLED']);
    expect(mergeOrderInto(list, o(3, 'OPEN', '2026-11-23T09:00:01Z'))).toBeNull();
  });
});

describe('order book filters', () => {
  it('builds the query with the filters that are set', () => {
    expect(ordersPath(emptyOrderFilters(), 50, 0)).toBe('/orders?limit=50&offset=0');
    expect(
      ordersPath(
        { client_id: '3', token_id: '2885', status: 'FILLED', date_from: '2026-11-01', date_to: '2026-11-23' },
        50,
        100,
      ),
    ).toBe('/orders?client_id=3&token_id=2885&status=FILLED&date_from=2026-11-01&date_to=2026-11-23&limit=50&offset=100');
  });

  it('tells whether a live order belongs in the filtered list', () => {
    const f = { ...emptyOrderFilters(), client_id: '3', status: 'OPEN' };
    expect(matchesFilters({ client_id: 3, token_id: 1, status: 'OPEN' }, f)).toBe(true);
    expect(matchesFilters({ client_id: 4, token_id: 1, status: 'OPEN' }, f)).toBe(false);
    expect(matchesFilters({ client_id: 3, token_id: 1, status: 'FILLED' }, f)).toBe(false);
  });
});
