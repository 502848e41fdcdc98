import { describe, expect, it } from 'vitest';

import type { Holder, Position } from './api-types';
import { applyPositionToHolders, applyPositionToPositions, isPosition, livePnl } from './positions';

const holder = (client_id: number, net_quantity: number, trade_type: Holder['trade_type'] = 'INTRADAY'): Holder => ({
  client_id,
  client_name: `C${client_id}`,
  trade_type,
  net_quantity,
  average_price: '1420.00',
  last_price: '1421.00',
  unrealised_pnl: '10.00',
  realised_pnl: '0',
  held_quantity: 0,
});

describe('livePnl', () => {
  it('recomputes (ltp − average) × net quantity exactly from the live price', () => {
    expect(livePnl({ net_quantity: 35, average_price: '1421.857', unrealised_pnl: '0' }, '1422.10')).toBe('8.505');
    expect(livePnl({ net_quantity: -10, average_price: '1420.00', unrealised_pnl: '0' }, '1425.05')).toBe('-50.50');
  });

  it("falls back to the server's figure without a live price or average", () => {
    expect(livePnl({ net_quantity: 5, average_price: '1', unrealised_pnl: '3.00' }, undefined)).toBe('3.00');
    expect(livePnl({ net_quantity: 5, average_price: null, unrealised_pnl: null }, '10')).toBeNull();
    expect(livePnl({ net_quantity: 0, average_price: '1', unrealised_pnl: '3.00' }, '10')).toBe('0');
  });
});

describe('applyPositionToHolders', () => {
  const u = (client_id: number, net_quantity: number, trade_type: Holder['trade_type'] & string = 'INTRADAY') => ({
    client_id,
    token_id: 2885,
    trade_type,
    net_quantity,
    average_price: '1420.00',
  });

  it('updates, adds and (at zero) removes rows', () => {
    const list = [holder(1, 10), holder(2, 5)];
    expect(applyPositionToHolders(list, u(1, 15), 'C1', '1422.00').find((h) => h.client_id === 1)).toMatchObject({
      net_quantity: 15,
      unrealised_pnl: '30.00',
      last_price: '1422.00',
    });
    expect(applyPositionToHolders(list, u(3, 7, 'DELIVERY'), 'C3')).toHaveLength(3);
    expect(applyPositionToHolders(list, u(2, 0), 'C2').map((h) => h.client_id)).toEqual([1]);
    // Another trade type of the same client is another row.
    expect(applyPositionToHolders(list, u(1, 4, 'DELIVERY'), 'C1')).toHaveLength(3);
  });

  it("adds the day's DELIVERY position to a demat holding, never going below zero", () => {
    const withHolding: Holder = { ...holder(1, 20, 'DELIVERY'), held_quantity: 20, average_price: '1300.00' };
    // Bought 4 more today: 24, 20 of them held.
    expect(applyPositionToHolders([withHolding], u(1, 4, 'DELIVERY'), 'C1')[0]).toMatchObject({
      net_quantity: 24,
      held_quantity: 20,
      average_price: '1300.00',
    });
    // Sold 5 of the held shares today: 15 left, all of them held.
    expect(applyPositionToHolders([withHolding], u(1, -5, 'DELIVERY'), 'C1')[0]).toMatchObject({
      net_quantity: 15,
      held_quantity: 15,
    });
    // Sold all 20: the row leaves the list rather than showing a short.
    expect(applyPositionToHolders([withHolding], u(1, -20, 'DELIVERY'), 'C1')).toEqual([]);
  });

  it('tells positions from unreadable clients', () => {
    expect(isPosition(holder(1, 10))).toBe(true);
    expect(isPosition({ ...holder(1, 0, null), error: 'broker down' })).toBe(false);
  });
});

describe('applyPositionToPositions', () => {
  const p: Position = {
    token_id: 2885,
    symbol: 'RELIANCE',
    trade_type: 'INTRADAY',
    net_quantity: 10,
    average_price: '1420.00',
    last_price: '1421.00',
    realised_pnl: '0',
    unrealised_pnl: '10.00',
  };
  it('keeps a closed position listed at zero with its realised P&L', () => {
    const [closed] = applyPositionToPositions([p], {
      client_id: 1,
      token_id: 2885,
      trade_type: 'INTRADAY',
      net_quantity: 0,
      average_price: '0',
      realised_pnl: '12.50',
    }, undefined);
    expect(closed).toMatchObject({ net_quantity: 0, unrealised_pnl: '0', realised_pnl: '12.50', symbol: 'RELIANCE' });
  });
});
