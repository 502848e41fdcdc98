import { describe, expect, it } from 'vitest';

import {
  emptyOrderFilters,
  exitSide,
  isClosed,
  matchesFilters,
  mergeOrderInto,
  needsPrice,
  needsTrigger,
  preferOrder,
  sideLabel,
  statusRank,
  upsertWaitingOrder,
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
  it('tells whether a live order belongs in the filtered list', () => {
    const f = { ...emptyOrderFilters(), client_id: '3', status: 'OPEN' };
    expect(matchesFilters({ client_id: 3, token_id: 1, status: 'OPEN' }, f)).toBe(true);
    expect(matchesFilters({ client_id: 4, token_id: 1, status: 'OPEN' }, f)).toBe(false);
    expect(matchesFilters({ client_id: 3, token_id: 1, status: 'FILLED' }, f)).toBe(false);
  });
});

describe('upsertWaitingOrder (the chart\'s order lines)', () => {
  type W = { id: number; token_id: number; status: 'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED'; updated_at: string; price?: string };
  const w = (id: number, status: W['status'], updated_at: string, extra: Partial<W> = {}): W => ({ id, token_id: 2885, status, updated_at, ...extra });

  it('adds a new waiting order of the token, replaces a newer version, drops one no longer waiting', () => {
    let list = upsertWaitingOrder<W>([], w(1, 'PENDING', '2026-11-23T09:00:00Z'), 2885);
    list = upsertWaitingOrder(list, w(2, 'OPEN', '2026-11-23T09:00:00Z'), 2885);
    list = upsertWaitingOrder(list, w(1, 'OPEN', '2026-11-23T09:00:01Z', { price: '10' }), 2885);
    expect(list.map((x) => [x.id, x.status])).toEqual([
      [1, 'OPEN'],
      [2, 'OPEN'],
    ]);
    list = upsertWaitingOrder(list, w(2, 'FILLED', '2026-11-23T09:00:02Z'), 2885);
    expect(list.map((x) => x.id)).toEqual([1]);
  });

  it('ignores other tokens, a late older version, and closed orders it never had', () => {
    const list = [w(1, 'PARTIALLY_FILLED', '2026-11-23T09:00:05Z')];
    expect(upsertWaitingOrder(list, w(9, 'OPEN', '2026-11-23T09:00:06Z', { token_id: 1 }), 2885)).toEqual(list);
    expect(upsertWaitingOrder(list, w(1, 'OPEN', '2026-11-23T09:00:09Z'), 2885)[0]!.status).toBe('PARTIALLY_FILLED');
    expect(upsertWaitingOrder(list, w(3, 'CANCELLED', '2026-11-23T09:00:09Z'), 2885)).toEqual(list);
  });
});

describe('sideLabel: one name for an order direction everywhere', () => {
  it('names buys and sells by side and exits by the side they took', () => {
    expect(sideLabel('BUY', 'BUY')).toBe('BUY');
    expect(sideLabel('SELL', 'SELL')).toBe('SELL');
    expect(sideLabel('EXIT', 'SELL')).toBe('EXIT (SELL)');
    expect(sideLabel('EXIT', exitSide(-10))).toBe('EXIT (BUY)');
    expect(exitSide(25)).toBe('SELL');
  });
});
