import { describe, expect, it } from 'vitest';

import type { BatchRow } from './api-types';
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
  entry_price: '1420.00',
  realised_pnl: '100.00',
  ...over,
});

describe('exitResult (defect 4: a finished exit shows its average exit price and realised P&L)', () => {
  it('one row: its price and its P&L', () => {
    expect(exitResult([row({})])).toEqual({ averageExitPrice: '1430.00', realisedPnl: '100.00', filled: 10 });
  });

  it('weights the average by filled quantity over trade types and sums their P&L, losses included', () => {
    const r = exitResult([
      row({ filled_quantity: 10, average_price: '100.00', realised_pnl: '-10.00' }),
      row({ trade_type: 'DELIVERY', quantity: 30, filled_quantity: 30, average_price: '104.00', realised_pnl: '118.50' }),
    ]);
    expect(r).toEqual({ averageExitPrice: '103.00', realisedPnl: '108.50', filled: 40 });
  });

  it('nothing filled shows nothing; a filled row without a P&L gives none rather than a partial sum', () => {
    expect(exitResult([row({ status: 'REJECTED', filled_quantity: 0, average_price: null, realised_pnl: null })])).toEqual({
      averageExitPrice: null,
      realisedPnl: null,
      filled: 0,
    });
    expect(exitResult([row({}), row({ trade_type: 'DELIVERY', realised_pnl: null })]).realisedPnl).toBeNull();
  });
});
