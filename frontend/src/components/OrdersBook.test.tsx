// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Order, User } from '@/lib/api-types';
import { dayIST } from '@/lib/format';
import { apiError, json, mockFetch } from '@/test/fetch';
import { bookOrder } from '@/test/fixtures';
import { useAuthStore } from '@/stores/auth';

import { OrdersBook } from './OrdersBook';

// The socket's order_update events, delivered by the test.
const realtime = vi.hoisted(() => ({ onOrder: null as ((o: unknown) => void) | null }));
vi.mock('@/hooks/useRealtime', () => ({
  useRealtimeEvent: (event: string, handler: (o: unknown) => void) => {
    if (event === 'order_update') realtime.onOrder = handler;
  },
}));

const advisor: User = {
  id: 2,
  email: 'advisor@example.com',
  full_name: 'Arun Advisor',
  role: 'advisor',
  is_active: true,
  created_at: '2026-01-01T00:00:00Z',
};

const TODAY = new Date();
const isoDaysAgo = (days: number) => new Date(TODAY.getTime() - days * 86_400_000).toISOString();

const order = (id: number, patch: Partial<Order> = {}): Order =>
  bookOrder(id, { created_at: isoDaysAgo(0), updated_at: isoDaysAgo(0), ...patch });

const page = (items: Order[]) => ({ items, total: items.length, limit: 50, offset: 0 });
const CLIENTS = 'GET /api/v1/clients?limit=1000&include_inactive=true';
const ORDERS = 'GET /api/v1/orders?limit=50&offset=0';

// jsdom has no modal dialogs: open and close are enough for the confirmation.
beforeAll(() => {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
});

beforeEach(() => {
  useAuthStore.setState({ accessToken: 'acc', user: advisor, hydrated: true });
});
afterEach(() => vi.unstubAllGlobals());

describe('OrdersBook', () => {
  it("shows today's orders by time alone on one line, older ones by their dd/mm/yyyy date", async () => {
    const old = isoDaysAgo(3);
    mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () => json(200, page([order(2), order(1, { created_at: old, status: 'FILLED' })])),
    });
    render(<OrdersBook />);
    await screen.findAllByTestId('orders-row');
    const times = screen.getAllByTestId('orders-time').map((t) => t.textContent);
    expect(times[0]).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    const [y, m, d] = dayIST(new Date(old)).split('-');
    expect(times[1]).toBe(`${d}/${m}/${y}`);
    expect(screen.getAllByTestId('orders-time')[0]!.className).toMatch(/whitespace-nowrap/);
  });

  it("puts a batch's orders together under one line that counts them", async () => {
    mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () =>
        json(200, page([order(4, { batch_id: 7 }), order(3), order(2, { batch_id: 7, status: 'FILLED' }), order(1)])),
    });
    render(<OrdersBook />);
    const batch = await screen.findByTestId('orders-batch');
    expect(batch.textContent).toMatch(/Batch #7.*2 orders · 1 open · 1 filled/);
    const ids = screen.getAllByTestId('orders-row').map((r) => r.getAttribute('data-order-id'));
    expect(ids).toEqual(['4', '2', '3', '1']);
  });

  it('cancels the chosen orders together and says per order what happened', async () => {
    const calls = mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () => json(200, page([order(3, { batch_id: 9 }), order(2, { batch_id: 9 }), order(1)])),
      'POST /api/v1/orders/3/cancel': () => json(200, order(3, { batch_id: 9, status: 'CANCELLED' })),
      'POST /api/v1/orders/2/cancel': () => apiError(409, 'ORDER_NOT_OPEN', 'The order is no longer open'),
    });
    render(<OrdersBook />);
    // The batch's box chooses both of its open orders; the lone order stays out.
    fireEvent.click(await screen.findByTestId('orders-batch-select'));
    expect(screen.getByTestId('orders-selection').textContent).toMatch(/2 open orders chosen/);
    fireEvent.click(screen.getByTestId('orders-cancel-selected'));
    const dialog = screen.getByTestId('orders-cancel-dialog');
    expect(within(dialog).getByTestId('orders-cancel-list').textContent).toMatch(/#3 Client 3.*#2 Client 2/);
    fireEvent.click(within(dialog).getByTestId('orders-cancel-confirm'));

    const results = await screen.findByTestId('orders-cancel-results');
    expect(results.textContent).toMatch(/1 of 2 cancelled; 1 not/);
    const lines = within(results).getAllByTestId('orders-cancel-result');
    expect(lines.map((l) => [l.getAttribute('data-order-id'), l.getAttribute('data-ok')])).toEqual([
      ['3', 'true'],
      ['2', 'false'],
    ]);
    expect(lines[1]!.textContent).toMatch(/no longer open/);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url).sort()).toEqual([
      '/api/v1/orders/2/cancel',
      '/api/v1/orders/3/cancel',
    ]);
    // The cancelled row shows its new status; the refused one stays chosen for another try.
    await waitFor(() =>
      expect(screen.getAllByTestId('orders-row').find((r) => r.getAttribute('data-order-id') === '3')?.getAttribute('data-status')).toBe(
        'CANCELLED',
      ),
    );
    expect(screen.getByTestId('orders-selection').textContent).toMatch(/1 open order chosen/);
  });

  it('drops an order from the selection when the socket says it filled meanwhile', async () => {
    mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () => json(200, page([order(2), order(1)])),
    });
    render(<OrdersBook />);
    for (const box of await screen.findAllByTestId('orders-select')) fireEvent.click(box);
    expect(screen.getByTestId('orders-selection').textContent).toMatch(/2 open orders chosen/);
    act(() => realtime.onOrder?.(order(2, { status: 'FILLED', filled_quantity: 10, updated_at: new Date().toISOString() })));
    expect(screen.getByTestId('orders-selection').textContent).toMatch(/1 open order chosen/);
    expect(screen.getAllByTestId('orders-select')).toHaveLength(1);
  });

  it('offers no checkboxes to a viewer', async () => {
    useAuthStore.setState({ user: { ...advisor, role: 'viewer' } });
    mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () => json(200, page([order(1, { batch_id: 3 })])),
    });
    render(<OrdersBook />);
    await screen.findAllByTestId('orders-row');
    expect(screen.queryByTestId('orders-select')).toBeNull();
    expect(screen.queryByTestId('orders-batch-select')).toBeNull();
  });

  it('filters by a dd/mm/yyyy day', async () => {
    const calls = mockFetch({
      [CLIENTS]: () => json(200, { items: [], total: 0, limit: 1000, offset: 0 }),
      [ORDERS]: () => json(200, page([order(1)])),
      'GET /api/v1/orders?date_to=2026-11-30&limit=50&offset=0': () => json(200, page([])),
    });
    render(<OrdersBook />);
    await screen.findAllByTestId('orders-row');
    fireEvent.change(screen.getByLabelText('To (IST)'), { target: { value: '30/11/2026' } });
    await screen.findByTestId('orders-empty');
    expect(calls.at(-1)?.url).toBe('/api/v1/orders?date_to=2026-11-30&limit=50&offset=0');
  });
});
