// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { MarketStatus as Status } from '@/lib/api-types';

import { MarketStatus } from './MarketStatus';

const answers: Status[] = [];

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      return new Response(JSON.stringify(next), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  answers.length = 0;
});

describe('MarketStatus', () => {
  it('shows the phase on the server clock, counts down each second and asks again at the open', async () => {
    // The server's clock is a demo's: 09:14:58 IST on a trading day, whatever the browser's clock says.
    answers.push(
      {
        exchange: 'NSE',
        now: '2026-01-27T03:44:58Z',
        phase: 'pre_open',
        holiday_name: null,
        next_open: '2026-01-27T03:45:00Z',
        next_close: '2026-01-27T10:00:00Z',
        simulator_always_open: false,
      },
      {
        exchange: 'NSE',
        now: '2026-01-27T03:45:00Z',
        phase: 'open',
        holiday_name: null,
        next_open: '2026-01-28T03:45:00Z',
        next_close: '2026-01-27T10:00:00Z',
        simulator_always_open: false,
      },
    );
    render(<MarketStatus enabled />);
    const badge = await screen.findByTestId('market-status');
    expect(badge.getAttribute('data-phase')).toBe('pre_open');
    expect(screen.getByTestId('market-countdown').textContent).toMatch(/opens in 0m 0[12]s/);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(3000);
    });
    await vi.waitFor(() => expect(screen.getByTestId('market-status').getAttribute('data-phase')).toBe('open'));
    expect(screen.getByTestId('market-phase').textContent).toBe('NSE Open');
    expect(screen.getByTestId('market-countdown').textContent).toMatch(/closes in 6h 1[45]m/);
  });
});
