// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from '@testing-library/react';

import type { MarketStatus } from '@/lib/api-types';

import { AmoChoice } from './AmoChoice';

const closed: MarketStatus = {
  exchange: 'NSE',
  now: '2026-01-26T04:30:00Z',
  phase: 'holiday',
  holiday_name: 'Republic Day',
  next_open: '2026-01-27T03:45:00Z',
  next_close: '2026-01-27T10:00:00Z',
  simulator_always_open: false,
};

afterEach(cleanup);

describe('AmoChoice', () => {
  it('is not offered while the market is open or its status is unknown', () => {
    const { container, rerender } = render(<AmoChoice value={false} onChange={() => {}} status={{ ...closed, phase: 'open' }} />);
    expect(container.innerHTML).toBe('');
    rerender(<AmoChoice value={false} onChange={() => {}} status={undefined} />);
    expect(container.innerHTML).toBe('');
  });

  it('while closed says why, when the market opens, and hands the choice to the ticket', () => {
    const onChange = vi.fn();
    const { rerender } = render(<AmoChoice value={false} onChange={onChange} status={closed} />);
    expect(screen.getByTestId('amo-choice').textContent).toContain('Market closed (Holiday, Republic Day)');
    expect(screen.getByTestId('amo-choice').textContent).toContain('refused until the open, Tue 27 Jan, 09:15 IST');
    fireEvent.click(screen.getByTestId('amo-toggle'));
    expect(onChange).toHaveBeenCalledWith(true);
    rerender(<AmoChoice value onChange={onChange} status={closed} />);
    expect(screen.getByTestId('amo-choice').textContent).toContain('placed at the open, Tue 27 Jan, 09:15 IST');
  });
});
