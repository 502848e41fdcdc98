// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { Order } from '@/lib/api-types';
import { bookOrder } from '@/test/fixtures';

import { OrderList } from './OrderList';

const NOW = new Date('2026-12-01T09:00:00Z'); // 14:30 IST

const order = bookOrder;

describe('OrderList', () => {
  it("shows today's time alone and an older order's date, with the full IST time as the tooltip", () => {
    render(
      <OrderList
        orders={[order(2), order(1, { created_at: '2026-11-23T08:35:09Z', status: 'FILLED' })]}
        canAct={false}
        onChanged={() => {}}
        testId="o"
        now={NOW}
      />,
    );
    const [today, older] = screen.getAllByTestId('o-time');
    expect(today!.textContent).toBe('09:30:05');
    expect(older!.textContent).toBe('23/11/2026');
    expect(older!.getAttribute('title')).toBe('23 Nov 2026, 14:05:09 IST');
  });

  it('has no checkbox column where nothing can be chosen (a client page’s open orders)', () => {
    render(<OrderList orders={[order(1, { batch_id: 4 })]} canAct onChanged={() => {}} testId="o" now={NOW} />);
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByTestId('o-batch')).toBeNull();
    expect(screen.getByTestId('o-row').className).not.toMatch(/2\.75rem/);
  });

  it('offers a checkbox only on open orders when choosing is on', () => {
    render(
      <OrderList
        orders={[order(2), order(1, { status: 'FILLED' })]}
        canAct
        onChanged={() => {}}
        testId="o"
        now={NOW}
        selection={{ selected: new Set(), onToggle: () => {} }}
      />,
    );
    expect(screen.getAllByRole('checkbox').map((c) => c.getAttribute('aria-label'))).toEqual(['Select order #2']);
  });
});
