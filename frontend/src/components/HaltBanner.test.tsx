// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Halt, RiskStatus } from '@/lib/api-types';
import { useRiskStore } from '@/stores/risk';

import { HaltBanner, haltMessage } from './HaltBanner';

const halt = (scope: 'firm' | 'advisor', reason: string, advisor_id: number | null = null): Halt => ({
  id: 1,
  scope,
  advisor_id,
  reason,
  halted_at: '2026-12-01T04:00:00Z',
  halted_by: 1,
});

const status = (halts: Halt[], you_are_halted = halts.length > 0): RiskStatus => ({
  firm_halted: halts.some((h) => h.scope === 'firm'),
  halts,
  you_are_halted,
  cancel_failures: [],
  cancelled_order_ids: [],
});

describe('HaltBanner', () => {
  beforeEach(() => {
    // The banner polls GET /risk/status; here the store is the state under test.
    useRiskStore.setState({ refresh: async () => undefined, clear: () => undefined });
  });

  it('is solid red and says why trading is halted', () => {
    useRiskStore.setState({ status: status([halt('firm', 'Exchange glitch on NSE')]) });
    render(<HaltBanner enabled userId={2} />);
    const banner = screen.getByRole('alert');
    expect(banner.className).toMatch(/\bbg-red-700\b/);
    expect(banner.className).toMatch(/\btext-white\b/);
    expect(banner.textContent).toContain('Trading is halted firm-wide');
    expect(screen.getByTestId('halt-reason-shown').textContent).toContain('Exchange glitch on NSE');
    expect(banner.textContent).not.toMatch(/retry/i);
  });

  it("names the advisor's own halt and its reason", () => {
    useRiskStore.setState({ status: status([halt('advisor', 'Client complaint', 2)]) });
    render(<HaltBanner enabled userId={2} />);
    expect(screen.getByRole('alert').textContent).toMatch(/halted for your clients[\s\S]*Client complaint/);
  });

  it('shows nothing without a halt', () => {
    useRiskStore.setState({ status: status([], false) });
    const { container } = render(<HaltBanner enabled userId={2} />);
    expect(container.textContent).toBe('');
  });
});

describe('haltMessage', () => {
  it("counts other advisors' halts for an admin without showing their reasons", () => {
    const seen = haltMessage(status([halt('advisor', 'x', 5), halt('advisor', 'y', 6)], false), 1);
    expect(seen).toEqual({ scope: 'advisor', title: 'Trading is halted for 2 advisors', reason: null });
  });
});
