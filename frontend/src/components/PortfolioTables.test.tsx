// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { Client, Portfolio, Position } from '@/lib/api-types';

import { SummaryCards } from './ClientDetail';
import { Positions } from './PortfolioTables';

vi.mock('next/link', () => ({
  default: ({ href, children, ...rest }: { href: string; children: ReactNode }) => (
    <a href={href} {...rest}>
      {children}
    </a>
  ),
}));
vi.mock('next/navigation', () => ({ usePathname: () => '/clients/1', useRouter: () => ({ replace: vi.fn() }) }));

const position = (over: Partial<Position>): Position => ({
  token_id: 7,
  symbol: 'RELIANCE',
  trade_type: 'INTRADAY',
  net_quantity: 3,
  average_price: '100.00',
  last_price: '97.00',
  realised_pnl: '0',
  unrealised_pnl: '-9.00',
  ...over,
});

describe('Positions', () => {
  it('shows a closed position by what it realised, not an average of ₹0.00', () => {
    const closed = position({ net_quantity: 0, average_price: '0', realised_pnl: '12.50', unrealised_pnl: '0' });
    render(<Positions positions={[closed]} ltps={() => '101.00'} />);
    const row = screen.getByTestId('position-row');
    expect(row.dataset.closed).toBe('true');
    expect(within(row).getByTestId('position-qty').textContent).toBe('Closed');
    expect(within(row).getByTestId('position-realised').textContent).toContain('12.50');
    expect(row.textContent).not.toContain('Avg');
    expect(row.textContent).not.toContain('0.00');
    expect(within(row).queryByText('Exit')).toBeNull();
  });

  it('shows an open position at its live price', () => {
    render(<Positions positions={[position({})]} ltps={() => '97.50'} />);
    expect(screen.getByTestId('position-unrealised').textContent).toMatch(/7\.50/);
  });
});

describe('SummaryCards', () => {
  const account = { summary: null, summary_error: null } as unknown as Client;
  const portfolio = (positions: Position[]): Portfolio => ({
    client_id: 1,
    summary: {
      cash: '1000.00',
      margin_used: '20.00',
      margin_available: '980.00',
      realised_pnl: '0',
      unrealised_pnl: '-8.00',
      open_positions: 1,
    },
    positions,
    holdings: [],
    open_orders: [],
  });

  it('moves with the live price and always equals the positions table beneath it', () => {
    // The defect: the card showed −₹8.00 (the load's figure) while its only row moved between −₹7.00 and −₹10.50.
    const rows = [position({ net_quantity: 2 })];
    for (const ltp of ['96.50', '94.75']) {
      const { unmount } = render(
        <>
          <SummaryCards portfolio={portfolio(rows)} account={account} ltp={() => ltp} />
          <Positions positions={rows} ltps={() => ltp} />
        </>,
      );
      const card = screen.getByTestId('summary-unrealised').querySelector('dd')?.textContent;
      expect(card).toBe(screen.getByTestId('position-unrealised').textContent);
      unmount();
    }
    render(<SummaryCards portfolio={portfolio(rows)} account={account} ltp={() => '96.50'} />);
    expect(screen.getByTestId('summary-unrealised').textContent).toMatch(/7\.00/);
  });

  it('counts realised P&L of closed rows and only open rows as positions', () => {
    const rows = [position({ net_quantity: 0, realised_pnl: '5.25' }), position({ token_id: 8, realised_pnl: '1.00' })];
    render(<SummaryCards portfolio={portfolio(rows)} account={account} ltp={() => undefined} />);
    expect(screen.getByTestId('summary-realised').textContent).toMatch(/6\.25/);
    expect(screen.getByTestId('summary-open-positions').textContent).toContain('1');
  });
});
