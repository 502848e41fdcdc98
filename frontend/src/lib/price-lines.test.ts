import { describe, expect, it } from 'vitest';

import { averagePriceLines, orderPriceLines, type OrderLike } from './price-lines';

const order = (o: Partial<OrderLike>): OrderLike => ({
  token_id: 2885,
  side: 'BUY',
  order_type: 'LIMIT',
  status: 'OPEN',
  quantity: 10,
  filled_quantity: 0,
  price: '1400.00',
  trigger_price: null,
  ...o,
});

describe('orderPriceLines', () => {
  it('one line per side, kind and price, with the quantity still waiting and how many orders', () => {
    const lines = orderPriceLines(
      [
        order({}),
        order({ quantity: 20, filled_quantity: 5, status: 'PARTIALLY_FILLED', price: '1400' }),
        order({ side: 'SELL', price: '1450.50', status: 'PENDING' }),
      ],
      2885,
    );
    expect(lines).toEqual([
      { id: 'order:BUY:LMT:1400', price: 1400, title: 'BUY 25 limit ×2', kind: 'buy', dashed: false },
      { id: 'order:SELL:LMT:1450.5', price: 1450.5, title: 'SELL 10 limit', kind: 'sell', dashed: false },
    ]);
  });

  it('draws trigger prices dashed: SL has a limit and a trigger line, SL-M a trigger line', () => {
    const lines = orderPriceLines(
      [
        order({ side: 'SELL', order_type: 'SL', price: '1380', trigger_price: '1385' }),
        order({ side: 'SELL', order_type: 'SL-M', price: null, trigger_price: '1370.05' }),
      ],
      2885,
    );
    expect(lines.map((l) => [l.title, l.price, l.dashed])).toEqual([
      ['SELL 10 limit', 1380, false],
      ['SELL 10 trigger', 1385, true],
      ['SELL 10 trigger', 1370.05, true],
    ]);
  });

  it('leaves out other tokens, closed and fully filled orders, market orders and missing prices', () => {
    const lines = orderPriceLines(
      [
        order({ token_id: 1 }),
        order({ status: 'FILLED' }),
        order({ status: 'CANCELLED' }),
        order({ status: 'REJECTED' }),
        order({ status: 'OPEN', filled_quantity: 10 }),
        order({ order_type: 'MARKET', price: null }),
        order({ price: null }),
        order({ price: '0' }),
        order({ price: 'abc' }),
      ],
      2885,
    );
    expect(lines).toEqual([]);
  });
});

describe('averagePriceLines', () => {
  it('averages long positions by quantity across clients, exactly', () => {
    const lines = averagePriceLines([
      { net_quantity: 10, average_price: '100.10' },
      { net_quantity: 30, average_price: '100.30' },
    ]);
    // (10 × 100.10 + 30 × 100.30) / 40 = 100.25
    expect(lines).toEqual([{ id: 'avg:long', price: 100.25, title: 'Avg long 40', kind: 'avg-long', dashed: false }]);
  });

  it('keeps long and short apart and skips flat, unknown and unreadable rows', () => {
    const lines = averagePriceLines([
      { net_quantity: 5, average_price: '200' },
      { net_quantity: -15, average_price: '210.5' },
      { net_quantity: 0, average_price: '1' },
      { net_quantity: 7, average_price: null },
      { net_quantity: 9, average_price: '999', error: 'broker down' },
    ]);
    expect(lines.map((l) => [l.kind, l.price, l.title])).toEqual([
      ['avg-long', 200, 'Avg long 5'],
      ['avg-short', 210.5, 'Avg short 15'],
    ]);
  });

  it('draws nothing without a position', () => {
    expect(averagePriceLines([])).toEqual([]);
  });
});
