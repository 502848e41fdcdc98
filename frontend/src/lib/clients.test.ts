import { describe, expect, it } from 'vitest';

import type { Client, PortfolioSummary, Position } from './api-types';
import { filterClients, liveSummary, portfolioFigures, sortClients } from './clients';

const client = (id: number, name: string, cash: string | null, positions = 0): Client => ({
  id,
  owner_id: 1,
  display_name: name,
  broker: 'simulator',
  broker_client_id: `SIM${id}`,
  is_active: true,
  credentials_set: {},
  opening_cash: '0',
  created_at: '2026-11-23T09:00:00Z',
  updated_at: '2026-11-23T09:00:00Z',
  summary:
    cash === null
      ? null
      : {
          cash,
          margin_used: '0',
          margin_available: cash,
          realised_pnl: '0',
          unrealised_pnl: '0',
          open_positions: positions,
        },
  summary_error: cash === null ? 'broker down' : null,
});

describe('sortClients', () => {
  const list = [
    client(1, 'Meera', '9.10'),
    client(2, 'Aarav', '10.05'),
    client(3, 'Kabir', null),
    client(4, 'Diya', '100000000000000000000.01', 2),
  ];
  it('sorts amounts as decimals, not strings or floats', () => {
    expect(sortClients(list, 'cash', 'asc').map((c) => c.id)).toEqual([1, 2, 4, 3]);
    expect(sortClients(list, 'cash', 'desc').map((c) => c.id)).toEqual([4, 2, 1, 3]);
  });
  it('sorts by name and counts; clients without a summary go last', () => {
    expect(sortClients(list, 'name', 'asc').map((c) => c.display_name)).toEqual(['Aarav', 'Diya', 'Kabir', 'Meera']);
    expect(sortClients(list, 'open_positions', 'desc')[0]?.id).toBe(4);
    expect(sortClients(list, 'open_positions', 'desc').at(-1)?.id).toBe(3);
  });
});

describe('filterClients', () => {
  const list = [client(1, 'Meera Shah', '1'), client(2, 'Aarav Rao', '1'), client(13, 'Kabir Shah', '1')];
  it('keeps clients matching every word in the name or broker id, any case', () => {
    expect(filterClients(list, 'shah').map((c) => c.id)).toEqual([1, 13]);
    expect(filterClients(list, 'SHAH kabir').map((c) => c.id)).toEqual([13]);
    expect(filterClients(list, 'sim2').map((c) => c.id)).toEqual([2]);
    expect(filterClients(list, '  ').map((c) => c.id)).toEqual([1, 2, 13]);
  });
});

const summary = (positions: PortfolioSummary['positions'], unrealised = '-8.00'): PortfolioSummary => ({
  cash: '1000',
  margin_used: '20.00',
  margin_available: '980.00',
  realised_pnl: '0',
  unrealised_pnl: unrealised,
  open_positions: positions?.length ?? 0,
  positions,
});

describe('liveSummary (the /clients list)', () => {
  const positions = [
    { token_id: 1, trade_type: 'INTRADAY' as const, net_quantity: 3, average_price: '100.00' },
    { token_id: 2, trade_type: 'DELIVERY' as const, net_quantity: -2, average_price: '50.00' },
  ];
  it('reprices unrealised P&L at live prices: the figure follows the ticks, not the load', () => {
    const prices: Record<number, string> = { 1: '97.50', 2: '50.25' };
    // 3 × (97.50 − 100) + (−2) × (50.25 − 50) = −7.50 − 0.50
    expect(liveSummary(summary(positions), (t) => prices[t]).unrealised_pnl).toBe('-8.00');
    prices[1] = '96.50';
    expect(liveSummary(summary(positions), (t) => prices[t]).unrealised_pnl).toBe('-11.00');
  });
  it("keeps the server's figure until every position has a live price", () => {
    expect(liveSummary(summary(positions, '-3.00'), (t) => (t === 1 ? '90' : undefined)).unrealised_pnl).toBe('-3.00');
    expect(liveSummary(summary([], '0'), () => '1').unrealised_pnl).toBe('0');
  });
});

const position = (token_id: number, net_quantity: number, realised: string, last: string | null): Position => ({
  token_id,
  symbol: `T${token_id}`,
  trade_type: 'INTRADAY',
  net_quantity,
  average_price: net_quantity === 0 ? '0' : '100.00',
  last_price: last,
  realised_pnl: realised,
  unrealised_pnl: '-8.00',
});

describe('portfolioFigures (the client page cards)', () => {
  it('sums the rows the positions table shows, at the live price', () => {
    const rows = [position(1, 2, '5.00', '96.00'), position(2, 0, '-1.25', null)];
    const live: Record<number, string> = { 1: '96.50' };
    const figures = portfolioFigures(summary([], '-8.00'), rows, (t) => live[t]);
    // The card showed −₹8.00 while its only row moved to −₹7.00: now it is the row's figure.
    expect(figures.unrealised_pnl).toBe('-7.00');
    expect(figures.realised_pnl).toBe('3.75');
    expect(figures.open_positions).toBe(1);
    expect(figures.margin_used).toBe('20.00');
  });
  it("uses the row's last price when no live quote has arrived", () => {
    expect(portfolioFigures(summary([]), [position(1, 2, '0', '95.00')], () => undefined).unrealised_pnl).toBe('-10.00');
  });
});
