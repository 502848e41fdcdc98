// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/test/fetch';
import { clientOut, orderOut } from '@/test/fixtures';
import { emit, subscribedTokens } from '@/test/realtime-mock';
import { useQuotesStore } from '@/stores/quotes';

import { ClientsList } from './ClientsList';

vi.mock('next/link', () => ({
  default: ({ href, children, ...rest }: { href: string; children: ReactNode }) => (
    <a href={href} {...rest}>
      {children}
    </a>
  ),
}));
vi.mock('@/hooks/useRealtime', async () => (await import('@/test/realtime-mock')).realtimeHooks);
vi.mock('@/lib/realtime', async () => (await import('@/test/realtime-mock')).realtimeLib);

const RELIANCE = 2885;
const meera = clientOut(1, 'Meera Shah', {
  margin_used: '20.00',
  unrealised_pnl: '-8.00',
  open_positions: 1,
  positions: [{ token_id: RELIANCE, trade_type: 'INTRADAY', net_quantity: 3, average_price: '100.00' }],
});
const aarav = clientOut(2, 'Aarav Rao', { cash: '5000.00', margin_available: '5000.00' });
const page = (...items: ReturnType<typeof clientOut>[]) => json(200, { items, total: items.length, limit: 1000, offset: 0 });

const row = (id: number) => screen.getByText((_, el) => el?.getAttribute('data-client-id') === String(id));
const cell = (id: number, testId: string) => within(row(id)).getByTestId(testId).textContent ?? '';
const tick = (ltp: string, ts: string) =>
  act(() => {
    useQuotesStore.getState().apply({ token_id: RELIANCE, ltp, change: '0', change_pct: '0', volume: 0, ts });
  });

describe('ClientsList', () => {
  it("follows live prices: a client's unrealised P&L is repriced on every tick", async () => {
    useQuotesStore.getState().clear();
    mockFetch({ 'GET /api/v1/clients?limit=1000': () => page(meera, aarav) });
    render(<ClientsList />);
    await waitFor(() => expect(cell(1, 'client-unrealised')).toMatch(/8\.00/));
    // The server's figure shows first; the subscription follows in an effect once the rows are in.
    await waitFor(() => expect(subscribedTokens.at(-1)).toEqual([RELIANCE]));
    tick('97.50', '2026-12-01T04:00:01Z');
    expect(cell(1, 'client-unrealised')).toMatch(/7\.50/);
    tick('96.50', '2026-12-01T04:00:02Z');
    expect(cell(1, 'client-unrealised')).toMatch(/10\.50/);
  });

  it('re-reads a client after its order changes: margin used drops when the order is cancelled', async () => {
    const calls = mockFetch({
      'GET /api/v1/clients?limit=1000': () => page(meera, aarav),
      'GET /api/v1/clients/1': () => json(200, clientOut(1, 'Meera Shah', { margin_used: '0.00' })),
    });
    render(<ClientsList />);
    await waitFor(() => expect(cell(1, 'client-margin-used')).toMatch(/20\.00/));
    emit('order_update', orderOut({ client_id: 1, status: 'CANCELLED' }));
    await waitFor(() => expect(cell(1, 'client-margin-used')).toMatch(/₹0\.00$/), { timeout: 3000 });
    expect(calls.filter((c) => c.url.startsWith('/api/v1/clients/2'))).toHaveLength(0);
  });

  it('reads the list once for a batch across many clients, not once per client', async () => {
    const many = Array.from({ length: 8 }, (_, i) => clientOut(i + 1, `Client ${i + 1}`));
    const calls = mockFetch({ 'GET /api/v1/clients?limit=1000': () => page(...many) });
    render(<ClientsList />);
    await screen.findAllByTestId('clients-list-row');
    for (const c of many) emit('order_update', orderOut({ client_id: c.id, status: 'FILLED' }));
    await waitFor(() => expect(calls.filter((c) => c.url === '/api/v1/clients?limit=1000')).toHaveLength(2), {
      timeout: 3000,
    });
    expect(calls.filter((c) => /^\/api\/v1\/clients\/\d+$/.test(c.url))).toHaveLength(0);
  });

  it('filters by name or broker id and sorts by a column', async () => {
    mockFetch({ 'GET /api/v1/clients?limit=1000': () => page(meera, aarav) });
    render(<ClientsList />);
    await screen.findAllByTestId('clients-list-row');
    const names = () => screen.getAllByTestId('clients-list-row').map((r) => r.dataset.clientId);
    expect(names()).toEqual(['2', '1']);
    fireEvent.click(screen.getByTestId('sort-cash'));
    expect(names()).toEqual(['2', '1']);
    fireEvent.click(screen.getByTestId('sort-margin_used'));
    expect(names()).toEqual(['1', '2']);
    fireEvent.change(screen.getByTestId('client-filter'), { target: { value: 'sim0002' } });
    expect(names()).toEqual(['2']);
    fireEvent.change(screen.getByTestId('client-filter'), { target: { value: 'nobody' } });
    expect(screen.getByTestId('clients-none-match')).toBeTruthy();
  });
});
