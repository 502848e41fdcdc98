import { describe, expect, it } from 'vitest';

import type { BatchRow, Holder } from './api-types';
import { exitResult } from './exit-results';

const row = (over: Partial<BatchRow>): BatchRow => ({
  client_id: 1,
  client_name: 'Asha',
  order_id: 9,
  status: 'FILLED',
  reason: null,
  trade_type: 'INTRADAY',
  quantity: 10,
  filled_quantity: 10,
  average_price: '1430.00',
  ...over,
});
const holder = (over: Partial<Holder>): Holder => ({
  client_id: 1,
  client_name: 'Asha',
  trade_type: 'INTRADAY',
  net_quantity: 10,
  held_quantity: 0,
  average_price: '1420.00',
  last_price: null,
  realised_pnl: null,
  unrealised_pnl: null,
  ...over,
});

describe('exitResult (defect 4: a finished exit shows its average exit price and realised P&L)', () => {
  it('a long sold above its average realises a profit', () => {
    expect(exitResult([row({})], [holder({})])).toEqual({ averageExitPrice: '1430.00', realisedPnl: '100.00', filled: 10 });
  });

  it('a short bought back above its average realises a loss', () => {
    const r = exitResult([row({ average_price: '1430.00' })], [holder({ net_quantity: -10 })]);
    expect(r.realisedPnl).toBe('-100.00');
  });

  it('weights the average by filled quantity over trade types and sums their P&L', () => {
    const r = exitResult(
      [row({ filled_quantity: 10, average_price: '100.00' }), row({ trade_type: 'DELIVERY', quantity: 30, filled_quantity: 30, average_price: '104.00' })],
      [holder({ average_price: '101.00' }), holder({ trade_type: 'DELIVERY', net_quantity: 30, average_price: '100.05' })],
    );
    expect(r.averageExitPrice).toBe('103.00');
    // (100 − 101) × 10 + (104 − 100.05) × 30 = −10 + 118.50
    expect(r.realisedPnl).toBe('108.50');
  });

  it('counts only what filled; nothing filled shows nothing', () => {
    expect(exitResult([row({ filled_quantity: 4 })], [holder({})]).realisedPnl).toBe('40.00');
    expect(exitResult([row({ status: 'REJECTED', filled_quantity: 0, average_price: null })], [holder({})])).toEqual({
      averageExitPrice: null,
      realisedPnl: null,
      filled: 0,
    });
  });

  it('an unknown entry price gives no P&L rather than a wrong one', () => {
    expect(exitResult([row({})], []).realisedPnl).toBeNull();
    expect(exitResult([row({})], [holder({ average_price: null })]).averageExitPrice).toBe('1430.00');
  });
});
