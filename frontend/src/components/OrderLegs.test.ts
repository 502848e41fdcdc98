import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import type { OrderLeg } from '@/lib/api-types';

import { OrderLegs } from './OrderLegs';

const leg = (leg_no: number, over: Partial<OrderLeg> = {}): OrderLeg => ({
  leg_no,
  quantity: 900,
  price: null,
  trigger_price: null,
  status: 'FILLED',
  reason: null,
  broker_order_id: `SIM-${leg_no}`,
  filled_quantity: 900,
  average_price: '1400.00',
  sent_at: '2026-12-01T04:00:00Z',
  updated_at: '2026-12-01T04:00:01Z',
  ...over,
});

const render = (legs: OrderLeg[]) => renderToStaticMarkup(createElement(OrderLegs, { legs }));

describe('OrderLegs', () => {
  it('shows nothing for an order sent whole', () => {
    expect(render([])).toBe('');
  });

  it('lists every leg with its fills, broker order id and reason, and sums up what did not fill', () => {
    const html = render([
      leg(1),
      leg(2, { status: 'REJECTED', filled_quantity: 0, average_price: null, broker_order_id: null, reason: 'RMS: freeze breached' }),
      leg(3, { quantity: 200, status: 'OPEN', filled_quantity: 0, average_price: null }),
    ]);
    expect(html).toContain('Sent as 3 orders');
    expect(html).toContain('1 working');
    expect(html).toContain('1 not filled');
    expect(html.match(/data-testid="order-legs-leg"/g)).toHaveLength(3);
    expect(html).toContain('broker #SIM-1');
    expect(html).toContain('not at the broker yet');
    expect(html).toContain('RMS: freeze breached');
    expect(html).toMatch(/data-status="REJECTED"/);
  });
});
