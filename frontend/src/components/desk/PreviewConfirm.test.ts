import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { parsePreview } from '@/lib/preview';

import { PreviewConfirm } from './PreviewConfirm';

const charges = { brokerage: '0', stt: '0', exchange_txn: '0', sebi: '0', stamp_duty: '0', gst: '0', total: '28.11' };
const row = (id: number, name: string, quantity: number, over: Record<string, unknown> = {}) => ({
  client_id: id,
  client_name: name,
  quantity,
  value: '14200.00',
  margin_required: '2840.00',
  margin_available: null,
  charges,
  risk: { ok: true, code: null, message: null },
  warnings: [],
  sizing: null,
  ...over,
});

function render(rows: unknown[], marketOpen = true, halted = 0) {
  const preview = parsePreview({
    token_id: 2885,
    symbol: 'RELIANCE',
    price: '1420.00',
    price_source: 'market',
    market_open: marketOpen,
    rows,
    totals: { quantity: 15, value: '21300.00', margin_required: '4260.00', charges_total: '56.22', halted },
  });
  return renderToStaticMarkup(createElement(PreviewConfirm, { preview }));
}

const testIdText = (html: string, id: string) => html.match(new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`))?.[1];

describe('PreviewConfirm', () => {
  it('shows the totals the dialog asserts on, counting only clients that get an order', () => {
    const html = render([row(1, 'Asha', 10), row(2, 'Bala', 5), row(3, 'Chitra', 0)]);
    expect(testIdText(html, 'confirm-clients')).toBe('2');
    expect(testIdText(html, 'confirm-quantity')).toBe('15');
    expect(testIdText(html, 'confirm-value')).toBe('₹21,300.00');
    expect(testIdText(html, 'confirm-charges')).toBe('₹56.22');
    expect(html.match(/data-testid="preview-row"/g)).toHaveLength(3);
    expect(html).toContain('data-client-id="3" data-quantity="0" data-verdict="blocked"');
    expect(html).not.toContain('data-testid="preview-nothing"');
  });

  it('lists each warning and a closed market once, and says when no client would get an order', () => {
    const closed = { code: 'MARKET_CLOSED', message: 'The market is closed.' };
    const html = render(
      [
        row(1, 'Asha', 0, { warnings: [closed, { code: 'ROUNDS_TO_ZERO', message: 'below one lot' }] }),
        row(2, 'Bala', 5, { warnings: [closed], risk: { ok: false, code: 'MAX_ORDER_VALUE', message: 'over the limit' } }),
      ],
      false,
    );
    expect(html.match(/The market is closed\./g)).toHaveLength(3); // once in the summary, once in each card
    expect(html).toContain('Asha: below one lot');
    expect(html).toContain('Bala: over the limit');
    expect(html).toContain('data-testid="preview-nothing"');
  });

  it('says a halt would refuse Execute All, with the halt once and each covered row blocked', () => {
    const halt = 'Trading is halted firm-wide: desk review. Execute-all would be refused; exits still work.';
    const halted = { ok: false, code: 'TRADING_HALTED', message: halt };
    const warnings = [{ code: 'TRADING_HALTED', message: halt }];
    const html = render([row(1, 'Asha', 10, { risk: halted, warnings }), row(2, 'Bala', 5, { risk: halted, warnings })], true, 2);
    expect(html).toMatch(/data-testid="preview-halted"[^>]*>Trading is halted for 2 of these 2 clients/);
    expect(html.match(/data-verdict="blocked"/g)).toHaveLength(2);
    // Once in the summary and once per card (its verdict), never again as the card's own warning.
    expect(html.match(/desk review/g)).toHaveLength(3);
    expect(testIdText(html, 'confirm-clients')).toBe('0');
  });

  it('shows no halt notice when nothing is halted', () => {
    expect(render([row(1, 'Asha', 10)])).not.toContain('preview-halted');
  });
});
