// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockFetch } from '@/test/fetch';

import { ClientLimits } from './ClientLimits';

describe('ClientLimits', () => {
  it('is folded to one line saying how many limits apply, and opens on request', async () => {
    mockFetch({
      'GET /api/v1/clients/3/risk-limits': () =>
        json(200, {
          client_id: 3,
          limits: { max_order_quantity: 50 },
          firm_default: { max_order_value: '100000.00' },
          effective: { max_order_quantity: 50, max_order_value: '100000.00' },
        }),
    });
    render(<ClientLimits clientId={3} clientName="Meera" canEdit={false} />);
    const toggle = await screen.findByTestId('client-limits-toggle');
    await screen.findByTestId('client-limits-count');
    expect(screen.getByTestId('client-limits-count').textContent).toMatch(/^2 of \d+ apply$/);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryAllByTestId('client-limit-row')).toHaveLength(0);

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const qty = screen.getAllByTestId('client-limit-row').find((r) => r.dataset.limit === 'max_order_quantity');
    expect(qty?.textContent).toMatch(/50/);

    fireEvent.click(toggle);
    expect(screen.queryAllByTestId('client-limit-row')).toHaveLength(0);
  });
});
