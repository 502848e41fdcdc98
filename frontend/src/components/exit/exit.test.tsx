// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import type { BatchRow, Holder } from '@/lib/api-types';
import { apiError, mockFetch } from '@/test/fetch';

import { ExitByToken } from './ExitByToken';
import { ExitConfirmDialog } from './ExitConfirmDialog';
import { ResultCell } from './ExitHolderRow';

let pathname = '/exit/999999';
vi.mock('next/navigation', () => ({ usePathname: () => pathname }));
vi.mock('next/link', () => ({ default: ({ href, children, ...rest }: { href: string; children: unknown }) => <a href={href} {...rest}>{children as never}</a> }));

const holder = (client_id: number, client_name: string, net_quantity: number, over: Partial<Holder> = {}): Holder => ({
  client_id,
  client_name,
  trade_type: 'INTRADAY',
  net_quantity,
  held_quantity: 0,
  average_price: '1420.00',
  last_price: null,
  realised_pnl: null,
  unrealised_pnl: null,
  ...over,
});

describe('/exit/999999 (defect 10)', () => {
  it('shows one clear not-found message, no spinner, and asks nothing else of the server', async () => {
    pathname = '/exit/999999';
    const calls = mockFetch({ 'GET /api/v1/tokens/999999': () => apiError(404, 'NOT_FOUND', 'Token not found') });
    render(<ExitByToken />);
    await waitFor(() => expect(screen.getByTestId('exit-not-found')).toBeTruthy());
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByRole('alert').textContent).toBe('No instrument has token 999999.');
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.queryByText(/Loading/)).toBeNull();
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/tokens/999999']);
  });

  it('a path that is not a token id says so, once', () => {
    pathname = '/exit/abc';
    render(<ExitByToken />);
    expect(screen.getByRole('alert').textContent).toBe('“abc” is not a token id.');
  });
});

describe('exit confirmation lists the clients, as the buy confirmation does (defect 10)', () => {
  // jsdom has <dialog> without its modal methods.
  beforeAll(() => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
  });

  it('names each client with the side it will take, its quantity and trade type', () => {
    const own = new Map<number, Holder[]>([
      [1, [holder(1, 'Asha', 25)]],
      [2, [holder(2, 'Bala', -10, { trade_type: 'DELIVERY' })]],
    ]);
    render(
      <ExitConfirmDialog
        symbol="RELIANCE"
        pending={{ order_type: 'MARKET', price: '', client_ids: [1, 2] }}
        clients={[
          { client_id: 1, client_name: 'Asha' },
          { client_id: 2, client_name: 'Bala' },
        ]}
        own={(id) => own.get(id) ?? []}
        price="1400.00"
        submitting={false}
        error={null}
        onCancel={() => undefined}
        onConfirm={() => undefined}
      />,
    );
    const lines = screen.getAllByTestId('exit-confirm-line').map((li) => li.textContent);
    expect(lines).toEqual(['AshaEXIT (SELL) 25 Intraday', 'BalaEXIT (BUY) 10 Delivery']);
    expect(screen.getByTestId('exit-confirm-clients').textContent).toBe('2');
    expect(screen.getByTestId('exit-confirm-quantity').textContent).toBe('35');
  });
});

describe('a finished exit shows the average exit price and realised P&L per row (defect 4)', () => {
  it('renders both next to the row’s status', () => {
    const rows: BatchRow[] = [
      {
        client_id: 1,
        client_name: 'Asha',
        order_id: 7,
        status: 'FILLED',
        reason: null,
        trade_type: 'INTRADAY',
        quantity: 25,
        filled_quantity: 25,
        average_price: '1418.60',
        closes: 'POSITION',
        entry_price: '1420.00',
        realised_pnl: '-35.00',
      },
    ];
    render(<ResultCell rows={rows} />);
    expect(screen.getByTestId('exit-row-avg').textContent).toBe('₹1,418.60');
    expect(screen.getByTestId('exit-row-realised').getAttribute('data-value')).toBe('-35.00');
    expect(screen.getByTestId('exit-row-realised').textContent).toContain('35.00');
  });
});
