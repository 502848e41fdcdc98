// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { apiError, json, mockFetch } from '@/test/fetch';
import { orderOut, portfolioOut, clientOut } from '@/test/fixtures';
import { emit } from '@/test/realtime-mock';

import { ClientDetail } from './ClientDetail';

const path = vi.hoisted(() => ({ current: '/clients/1' }));
vi.mock('next/navigation', () => ({
  usePathname: () => path.current,
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
}));
vi.mock('next/link', () => ({
  default: ({ href, children, ...rest }: { href: string; children: ReactNode }) => (
    <a href={href} {...rest}>
      {children}
    </a>
  ),
}));
vi.mock('@/hooks/useRealtime', async () => (await import('@/test/realtime-mock')).realtimeHooks);
vi.mock('@/lib/realtime', async () => (await import('@/test/realtime-mock')).realtimeLib);

const noTrades = () => json(200, { items: [], total: 0, limit: 25, offset: 0 });

describe('ClientDetail', () => {
  it('/clients/999 shows one clear not-found message, not a spinner or an error per section', async () => {
    path.current = '/clients/999';
    const notFound = () => apiError(404, 'NOT_FOUND', 'Client not found');
    mockFetch({
      'GET /api/v1/clients/999': notFound,
      'GET /api/v1/clients/999/portfolio': notFound,
      'GET /api/v1/trades?client_id=999&limit=25&offset=0': notFound,
    });
    render(<ClientDetail />);
    await screen.findByTestId('not-found');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByRole('heading').textContent).toBe('Client not found');
    expect(screen.getByRole('link', { name: 'All clients' }).getAttribute('href')).toBe('/clients');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('margin used drops when an order is cancelled: any order event re-reads the books', async () => {
    path.current = '/clients/1';
    const open = orderOut({ id: 11, status: 'OPEN' });
    const calls = mockFetch({
      'GET /api/v1/clients/1': () => json(200, clientOut(1, 'Meera', { margin_used: '20.00' })),
      'GET /api/v1/clients/1/portfolio': [
        () => json(200, portfolioOut(1, { margin_used: '20.00', margin_available: '980.00' }, [open])),
        () => json(200, portfolioOut(1, { margin_used: '0.00', margin_available: '1000.00' })),
      ],
      'GET /api/v1/trades?client_id=1&limit=25&offset=0': noTrades,
    });
    render(<ClientDetail />);
    const used = () => screen.getByTestId('summary-margin-used').textContent ?? '';
    await waitFor(() => expect(used()).toMatch(/20\.00/));

    // Cancelled elsewhere (another tab, the broker): only the socket says so.
    emit('order_update', { ...open, status: 'CANCELLED' });
    await waitFor(() => expect(used()).toMatch(/₹0\.00$/), { timeout: 3000 });
    expect(screen.getByTestId('summary-margin-available').textContent).toMatch(/1,000\.00/);
    expect(calls.filter((c) => c.url === '/api/v1/clients/1/portfolio')).toHaveLength(2);
  });

  it("ignores another client's events", async () => {
    path.current = '/clients/1';
    const calls = mockFetch({
      'GET /api/v1/clients/1': () => json(200, clientOut(1, 'Meera')),
      'GET /api/v1/clients/1/portfolio': () => json(200, portfolioOut(1)),
      'GET /api/v1/trades?client_id=1&limit=25&offset=0': noTrades,
    });
    render(<ClientDetail />);
    await screen.findByTestId('portfolio-summary');
    emit('order_update', orderOut({ client_id: 2, status: 'CANCELLED' }));
    await new Promise((r) => setTimeout(r, 800));
    expect(calls.filter((c) => c.url === '/api/v1/clients/1/portfolio')).toHaveLength(1);
  });
});
