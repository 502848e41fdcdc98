import { describe, expect, it } from 'vitest';

import { parsePreview, priceNote, rowVerdict, sendingCount, warningLines, type PreviewRow } from './preview';

const charges = { brokerage: '20.00', stt: '3.55', exchange_txn: '0.42', sebi: '0.01', stamp_duty: '0.45', gst: '3.68', total: '28.11' };

const row = (over: Partial<PreviewRow> = {}): PreviewRow => ({
  client_id: 1,
  client_name: 'Asha',
  quantity: 10,
  value: '14200.00',
  margin_required: '2840.00',
  margin_available: '100000.00',
  charges,
  risk: { ok: true, code: null, message: null },
  warnings: [],
  sizing: {
    method: 'fixed',
    price: '1420.00',
    price_source: 'market',
    multiplier: '2',
    inputs: { quantity: '5' },
    raw_quantity: '10',
    quantity: 10,
  },
  ...over,
});

const answer = (rows: PreviewRow[], over: Record<string, unknown> = {}) => ({
  token_id: 2885,
  symbol: 'RELIANCE',
  price: '1420.00',
  price_source: 'market',
  market_open: true,
  rows,
  totals: { quantity: 15, value: '21300.00', margin_required: '4260.00', charges_total: '56.22', halted: 0 },
  ...over,
});

describe('parsePreview', () => {
  it('reads the contract\'s answer, sizing and explicit (null sizing) rows alike', () => {
    const p = parsePreview(answer([row(), row({ client_id: 2, client_name: 'Bala', quantity: 5, sizing: null, margin_available: null })]));
    expect(p.rows.map((r) => [r.client_id, r.quantity])).toEqual([[1, 10], [2, 5]]);
    expect(p.rows[0]?.sizing?.multiplier).toBe('2');
    expect(p.totals.charges_total).toBe('56.22');
  });

  it('keeps warning codes it does not know (a newer server) with their messages', () => {
    const p = parsePreview(answer([row({ warnings: [{ code: 'SOMETHING_NEW', message: 'new' }] })]));
    expect(p.rows[0]?.warnings).toEqual([{ code: 'SOMETHING_NEW', message: 'new' }]);
  });

  it.each([
    ['money as a float', answer([{ ...row(), value: 14200 } as unknown as PreviewRow]), 'rows.0.value'],
    ['a fractional quantity', answer([row({ quantity: 2.5 })]), 'rows.0.quantity'],
    ['no totals', { ...answer([row()]), totals: undefined }, 'totals'],
    ['charges without a total', answer([{ ...row(), charges: { ...charges, total: undefined } } as unknown as PreviewRow]), 'rows.0.charges.total'],
  ])('refuses %s, naming the field', (_, json, field) => {
    expect(() => parsePreview(json)).toThrow(new RegExp(`^The preview could not be read \\(${field.replace(/\./g, '\\.')}:`));
  });
});

describe('verdicts and counts', () => {
  it('a row with 0 quantity or a failed risk check sends nothing; warnings alone still send', () => {
    expect(rowVerdict(row())).toBe('ok');
    expect(rowVerdict(row({ warnings: [{ code: 'LOT_ROUNDED', message: 'rounded down to 50' }] }))).toBe('warn');
    expect(rowVerdict(row({ quantity: 0 }))).toBe('blocked');
    expect(rowVerdict(row({ risk: { ok: false, code: 'MAX_ORDER_VALUE', message: 'over ₹10,000' } }))).toBe('blocked');
    const p = parsePreview(
      answer([row(), row({ client_id: 2, quantity: 0 }), row({ client_id: 3, risk: { ok: false, code: 'X', message: 'no' } })]),
    );
    expect(sendingCount(p)).toBe(1);
  });
});

describe('warningLines', () => {
  it('says "market closed" once for the batch, everything else per client by name', () => {
    const closed = { code: 'MARKET_CLOSED', message: 'The market is closed.' };
    const p = parsePreview(
      answer(
        [
          row({ warnings: [closed, { code: 'INSUFFICIENT_MARGIN', message: 'needs ₹2,840.00, has ₹100.00' }] }),
          row({ client_id: 2, client_name: 'Bala', warnings: [closed, { code: 'ROUNDS_TO_ZERO', message: '0.4 lots' }] }),
        ],
        { market_open: false },
      ),
    );
    expect(warningLines(p)).toEqual([
      { code: 'MARKET_CLOSED', text: 'The market is closed.' },
      { code: 'INSUFFICIENT_MARGIN', text: 'Asha: needs ₹2,840.00, has ₹100.00' },
      { code: 'ROUNDS_TO_ZERO', text: 'Bala: 0.4 lots' },
    ]);
  });

  it('adds a failed risk check the warnings do not already name, and a closed market rows do not mention', () => {
    const p = parsePreview(
      answer([row({ risk: { ok: false, code: 'MAX_ORDER_QUANTITY', message: 'more than 5' } })], { market_open: false }),
    );
    expect(warningLines(p)).toEqual([
      { code: 'MARKET_CLOSED', text: 'The market is closed: orders wait for the open.' },
      { code: 'MAX_ORDER_QUANTITY', text: 'Asha: more than 5' },
    ]);
  });

  it('lists a halt once per distinct message, not once per covered row nor again as its risk verdict', () => {
    const firm = 'Trading is halted firm-wide: review.';
    const halted = (message: string) => ({
      risk: { ok: false, code: 'TRADING_HALTED', message },
      warnings: [{ code: 'TRADING_HALTED', message }],
    });
    const p = parsePreview(
      answer([row(halted(firm)), row({ client_id: 2, client_name: 'Bala', ...halted(firm) })]),
    );
    expect(warningLines(p)).toEqual([{ code: 'TRADING_HALTED', text: firm }]);
    expect(sendingCount(p)).toBe(0);
  });

  it('names an inactive client once, though both its verdict and a warning say so', () => {
    const inactive = 'the client is deactivated';
    const p = parsePreview(
      answer([
        row({
          quantity: 0,
          risk: { ok: false, code: 'CLIENT_INACTIVE', message: inactive },
          warnings: [{ code: 'CLIENT_INACTIVE', message: inactive }],
        }),
      ]),
    );
    expect(warningLines(p)).toEqual([{ code: 'CLIENT_INACTIVE', text: `Asha: ${inactive}` }]);
  });

  it('none when all is well', () => {
    expect(warningLines(parsePreview(answer([row()])))).toEqual([]);
  });
});

describe('priceNote', () => {
  it('says which price valued the orders', () => {
    expect(priceNote(parsePreview(answer([row()], { price_source: 'limit' })))).toBe('Valued at the limit price.');
    expect(priceNote(parsePreview(answer([row()])))).toMatch(/^Valued at the last price/);
    expect(priceNote(parsePreview(answer([row()], { price: null, price_source: null })))).toBe('No price to value the orders at.');
  });
});
