// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { BatchRow, BatchRowStatus } from '@/lib/api-types';
import { STATUS_LABEL } from '@/lib/orders';
import type { BatchView } from '@/stores/batches';

import { BatchProgressSummary } from './BatchProgressSummary';

function view(statuses: BatchRowStatus[], total = statuses.length): BatchView {
  const rows: Record<string, BatchRow> = {};
  statuses.forEach((status, i) => {
    rows[`o${i}`] = {
      client_id: i,
      client_name: `C${i}`,
      order_id: i,
      status,
      reason: null,
      quantity: 10,
      filled_quantity: status === 'FILLED' ? 10 : 0,
      average_price: null,
      trade_type: 'DELIVERY',
    };
  });
  const done = statuses.every((s) => ['FILLED', 'CANCELLED', 'DENIED', 'REJECTED', 'SKIPPED'].includes(s));
  return {
    batch_id: 1,
    kind: 'EXECUTE_ALL',
    token_id: 1,
    status: done && total === statuses.length ? 'COMPLETED' : 'RUNNING',
    keys: Object.keys(rows),
    rows,
    total,
  };
}

const bar = () => screen.getByTestId('batch-progress-bar');

describe('BatchProgressSummary', () => {
  it('is not green when nothing filled: one denied row is a red bar saying Denied, as its badge does', () => {
    render(<BatchProgressSummary view={view(['DENIED'])} />);
    expect(bar().querySelector('.bg-emerald-600')).toBeNull();
    expect(bar().querySelector('[data-part=DENIED]')!.className).toContain('bg-red-600');
    expect(screen.getByTestId('batch-progress-denied').textContent).toBe(`1 ${STATUS_LABEL.DENIED}`);
    expect(screen.queryByText(/rejected/i)).toBeNull();
  });

  it('shows filled, refused and failed parts in their own colours, each with the badge’s word', () => {
    render(<BatchProgressSummary view={view(['FILLED', 'FILLED', 'REJECTED', 'FAILED', 'PENDING'])} />);
    const part = (s: string) => bar().querySelector<HTMLElement>(`[data-part=${s}]`)!;
    expect(part('FILLED').className).toContain('bg-emerald-600');
    expect(part('FILLED').style.width).toBe('40%');
    expect(part('REJECTED').className).toContain('bg-red-600');
    expect(part('FAILED').className).toContain('bg-amber-500');
    expect(part('REJECTED').style.width).toBe('20%');
    expect(screen.getByTestId('batch-progress-filled').textContent).toBe('2 Filled');
    expect(screen.getByTestId('batch-progress-rejected').textContent).toBe('1 Rejected');
    expect(screen.getByTestId('batch-progress-failed').textContent).toBe(`1 ${STATUS_LABEL.FAILED}`);
    expect(screen.getByTestId('batch-progress').dataset.complete).toBe('false');
  });

  it('counts rows the server announced but this page has not seen yet as pending, not as done', () => {
    render(<BatchProgressSummary view={view(['FILLED'], 3)} />);
    expect(bar().querySelector<HTMLElement>('[data-part=FILLED]')!.style.width).toMatch(/^33\.3+\d*%$/);
    expect(screen.getByTestId('batch-progress-pending').textContent).toBe('2 Pending');
    expect(screen.getByTestId('batch-progress').dataset.resolved).toBe('1');
  });
});
