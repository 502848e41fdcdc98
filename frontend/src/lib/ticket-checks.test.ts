import { describe, expect, it } from 'vitest';

import { marginFlag, priceWarnings, slTriggerError } from './ticket-checks';

describe('priceWarnings: a limit far from the last price (defect 2)', () => {
  const limit = (price: string, ltp: string | undefined = '1419.00') =>
    priceWarnings({ orderType: 'LIMIT', price, trigger: '', ltp });

  it('warns for ₹100 and ₹5,000 against a last price of ₹1,419', () => {
    expect(limit('100')).toEqual([
      { code: 'FAR_FROM_LAST', field: 'price', message: 'Limit ₹100.00 is 92% below the last price ₹1,419.00' },
    ]);
    expect(limit('5000')[0]?.message).toBe('Limit ₹5,000.00 is 252% above the last price ₹1,419.00');
  });

  it('is quiet near the last price, without a last price, and for a market order', () => {
    expect(limit('1420')).toEqual([]);
    expect(limit('1300')).toEqual([]); // 8% away
    expect(priceWarnings({ orderType: 'LIMIT', price: '100', trigger: '', ltp: undefined })).toEqual([]);
    expect(priceWarnings({ orderType: 'MARKET', price: '', trigger: '', ltp: '1419' })).toEqual([]);
  });

  it('checks the trigger of SL and SL-M too', () => {
    const w = priceWarnings({ orderType: 'SL-M', price: '', trigger: '2000', ltp: '1419' });
    expect(w.map((x) => [x.field, x.code])).toEqual([['trigger_price', 'FAR_FROM_LAST']]);
  });

  it('a price outside a known circuit band is named as such', () => {
    const w = priceWarnings({ orderType: 'LIMIT', price: '1600', trigger: '', ltp: '1419', band: { lower: '1277.10', upper: '1560.90' } });
    expect(w).toEqual([
      {
        code: 'BEYOND_CIRCUIT',
        field: 'price',
        message: "Limit ₹1,600.00 is outside today's circuit band ₹1,277.10 – ₹1,560.90: the exchange will not accept it",
      },
    ]);
  });
});

describe('marginFlag: value above a client’s available margin', () => {
  it('flags 1,00,000 shares at ₹1,419 for a ₹5 lakh client', () => {
    expect(marginFlag('BUY', '1419.00', 100000, '500000.00')).toEqual({ value: '141900000.00', available: '500000.00' });
  });
  it('does not flag within margin, sells, or an unknown margin', () => {
    expect(marginFlag('BUY', '1419.00', 10, '500000.00')).toBeNull();
    expect(marginFlag('SELL', '1419.00', 100000, '500000.00')).toBeNull();
    expect(marginFlag('BUY', '1419.00', 100000, null)).toBeNull();
    expect(marginFlag('BUY', null, 100000, '5')).toBeNull();
  });
});

describe('slTriggerError', () => {
  it('only judges SL orders with both prices typed', () => {
    expect(slTriggerError('BUY', 'SL', '100', '101')).toMatch(/at or below/);
    expect(slTriggerError('BUY', 'LIMIT', '100', '101')).toBeNull();
    expect(slTriggerError('BUY', 'SL', '', '101')).toBeNull();
  });
});
