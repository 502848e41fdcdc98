import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import type { BatchRow, Client } from '@/lib/api-types';

import { DeskClientRow, type QuantityCell } from './DeskClientRow';

const client = { id: 4, display_name: 'Asha', broker: 'simulator', broker_client_id: 'SIM-4', is_active: true, summary: null } as Client;

const render = (cell: QuantityCell, c: Client = client) =>
  renderToStaticMarkup(createElement(DeskClientRow, { client: c, holders: [], hasInstrument: true, lot: 1, cell }));

const sent = (over: Partial<BatchRow> = {}): BatchRow => ({
  client_id: 4,
  client_name: 'Asha',
  order_id: 901,
  status: 'FILLED',
  reason: null,
  quantity: 20,
  filled_quantity: 20,
  average_price: '1400.00',
  trade_type: 'DELIVERY',
  ...over,
});

describe('DeskClientRow after Execute All', () => {
  it('shows how a sized row got its quantity, as the preview did', () => {
    const sizing = {
      method: 'fixed',
      price: '1400.00',
      price_source: 'market' as const,
      multiplier: '2.00',
      inputs: { quantity: '10' },
      raw_quantity: '20.0000',
      quantity: 20,
    };
    const html = render({ kind: 'status', rows: [sent({ sizing })] });
    expect(html).toContain('data-testid="client-row-sizing" data-method="fixed"');
    expect(html).toContain('Fixed quantity: quantity 10 · ×2.00 = 20.0000 → 20 · at ₹1,400.00 (last price)');
    expect(html).toContain('20/20');
  });

  it('a row of typed quantities has no sizing line', () => {
    expect(render({ kind: 'status', rows: [sent({ sizing: null })] })).not.toContain('client-row-sizing');
  });
});

describe('DeskClientRow for "Selected clients"', () => {
  const pick = (checked: boolean): QuantityCell => ({ kind: 'pick', checked, onChange: () => undefined, disabled: false });

  it('offers a labelled tick box in place of the quantity', () => {
    const html = render(pick(true));
    expect(html).toContain('aria-label="Include Asha"');
    expect(html).toMatch(/data-testid="client-pick"[^>]*checked=""/);
    expect(html).toContain('data-picked="true"');
    expect(html).not.toContain('data-testid="client-qty"');
    expect(render(pick(false))).toContain('not included');
  });

  it('an inactive client cannot be ticked', () => {
    const html = render({ ...pick(false), disabled: true } as QuantityCell, { ...client, is_active: false });
    expect(html).toMatch(/data-testid="client-pick"[^>]*disabled=""/);
    expect(html).toContain('inactive');
  });
});
