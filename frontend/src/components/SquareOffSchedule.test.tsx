// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { useAuthStore } from '@/stores/auth';

const GET = vi.fn();
const PUT = vi.fn();

vi.mock('@/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/api')>();
  return {
    ...actual,
    client: { GET: (...args: unknown[]) => GET(...args), PUT: (...args: unknown[]) => PUT(...args) },
    call: async (pending: Promise<unknown>) => pending,
  };
});

const { SquareOffSchedule, squareOffTimeProblem } = await import('./SquareOffSchedule');

const OFF = { enabled: false, time: '15:10', last_run_on: null, last_batch_ids: [], next_run_at: null };

describe('squareOffTimeProblem', () => {
  it('takes 09:15 to 15:29, the times an exit can still trade', () => {
    expect(squareOffTimeProblem('09:15')).toBeNull();
    expect(squareOffTimeProblem('15:29')).toBeNull();
    expect(squareOffTimeProblem('15:30')).toMatch(/09:15 to 15:29/);
    expect(squareOffTimeProblem('09:14')).toMatch(/09:15 to 15:29/);
  });
});

describe('SquareOffSchedule', () => {
  beforeEach(() => {
    GET.mockReset().mockImplementation(async (path: string) =>
      path === '/api/v1/square-off/schedule'
        ? OFF
        : { symbol: 'RELIANCE', status: 'COMPLETED', counts: { total: 2, filled: 2, skipped: 0, failed: 0, rejected: 0 } },
    );
    PUT.mockReset();
    useAuthStore.setState({ accessToken: 't', user: { id: 1, email: 'a@b', full_name: 'A', role: 'advisor', is_active: true, created_at: '2026-11-23T08:00:00Z' }, hydrated: true });
  });

  it('is not shown to a viewer, who cannot trade (and asks the API nothing)', () => {
    useAuthStore.setState({ user: { id: 2, email: 'v@b', full_name: 'V', role: 'viewer', is_active: true, created_at: '2026-11-23T08:00:00Z' } });
    const { container } = render(<SquareOffSchedule />);
    expect(container.innerHTML).toBe('');
    expect(GET).not.toHaveBeenCalled();
  });

  it('saves the switch and the time, then shows the next run', async () => {
    PUT.mockResolvedValue({ ...OFF, enabled: true, time: '15:05', next_run_at: '2026-12-01T09:35:00Z' });
    render(<SquareOffSchedule />);
    fireEvent.click(await screen.findByTestId('square-off-enabled'));
    fireEvent.change(screen.getByTestId('square-off-time'), { target: { value: '15:05' } });
    fireEvent.click(screen.getByTestId('square-off-save'));
    await waitFor(() => expect(screen.getByTestId('square-off-next').textContent).toContain('15:05:00 IST'));
    expect(screen.getByRole('status').textContent).toBe('Saved: every trading day at 15:05 IST.');
    expect(PUT.mock.calls[0]?.[1]).toEqual({ body: { enabled: true, time: '15:05' } });
  });

  it('lists the last run’s batches with their progress', async () => {
    GET.mockImplementation(async (path: string) =>
      path === '/api/v1/square-off/schedule'
        ? { ...OFF, enabled: true, last_run_on: '2026-12-01', last_batch_ids: [7] }
        : { symbol: 'RELIANCE', status: 'COMPLETED', counts: { total: 2, filled: 2, skipped: 0, failed: 0, rejected: 0 } },
    );
    render(<SquareOffSchedule />);
    expect((await screen.findByText('RELIANCE')).parentElement?.textContent).toContain('2 of 2 filled');
  });
});
