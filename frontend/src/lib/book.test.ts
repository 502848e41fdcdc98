import { describe, expect, it } from 'vitest';

import type { BookSummary, BookToken } from './api-types';
import { liveTotals, revalueToken, sortTokens } from './book';

const token = (token_id: number, symbol: string, net_value: string | null, unrealised_pnl: string): BookToken => ({
  token_id,
  symbol,
  exchange: 'NSE',
  last_price: null,
  net_quantity: 0,
  net_value,
  unrealised_pnl,
  realised_pnl: '0',
  clients: [],
});

const reliance: BookToken = {
  token_id: 2885,
  symbol: 'RELIANCE',
  exchange: 'NSE',
  last_price: '1430.00',
  net_quantity: 25,
  net_value: '35750.00',
  unrealised_pnl: '250.00',
  realised_pnl: '50.00',
  clients: [
    { client_id: 1, client_name: 'A', trade_type: 'DELIVERY', net_quantity: 15, held_quantity: 10, average_price: '1403.3333', last_price: '1430.00', unrealised_pnl: '400.00', realised_pnl: '0' },
    { client_id: 2, client_name: 'B', trade_type: 'INTRADAY', net_quantity: 10, held_quantity: 0, average_price: '1445.00', last_price: '1430.00', unrealised_pnl: '-150.00', realised_pnl: '50.00' },
  ],
};

const summary: BookSummary = {
  pnl_today: '300.00',
  realised_pnl: '50.00',
  unrealised_pnl: '250.00',
  gross_exposure: '35750.00',
  margin_used: '20000.00',
  margin_available: '980000.00',
  clients: 2,
  clients_with_open_positions: 2,
  unpriced_lots: 0,
  best_client: null,
  worst_client: null,
  errors: [],
};

describe('revalueToken', () => {
  it('revalues every lot and the totals at the new price, to the paisa', () => {
    const live = revalueToken(reliance, '1440.10');
    // (1440.10 − 1403.3333) × 15 = 551.5005 → 551.50; (1440.10 − 1445) × 10 = −49.00
    expect(live.clients.map((l) => l.unrealised_pnl)).toEqual(['551.50', '-49.00']);
    expect(live.unrealised_pnl).toBe('502.50');
    expect(live.net_value).toBe('36002.50');
    expect(live.realised_pnl).toBe('50.00');
  });

  it('leaves the token as it is without a price', () => {
    expect(revalueToken(reliance, undefined)).toBe(reliance);
  });
});

describe('liveTotals', () => {
  it('recomputes P&L today and gross exposure from the live lots, keeping realised and margin', () => {
    const live = liveTotals(summary, [revalueToken(reliance, '1440.10')]);
    expect(live.unrealised_pnl).toBe('502.50');
    expect(live.pnl_today).toBe('552.50');
    expect(live.gross_exposure).toBe('36002.50'); // 25 × 1440.10
    expect(live.margin_used).toBe('20000.00');
  });

  it('counts a short at its absolute size in the exposure', () => {
    const short: BookToken = { ...reliance, clients: [{ ...reliance.clients[1]!, net_quantity: -10, unrealised_pnl: '150.00' }] };
    expect(liveTotals(summary, [short]).gross_exposure).toBe('14300.00');
  });
});

describe('sortTokens', () => {
  const tokens = [token(1, 'TCS', '5000.00', '-20.00'), token(2, 'INFY', '12000.50', '300.00'), token(3, 'ACC', null, '0'), token(4, 'HDFCBANK', '-900.00', '10.00')];

  it('sorts by symbol either way', () => {
    expect(sortTokens(tokens, 'symbol', 'asc').map((t) => t.symbol)).toEqual(['ACC', 'HDFCBANK', 'INFY', 'TCS']);
    expect(sortTokens(tokens, 'symbol', 'desc').map((t) => t.symbol)).toEqual(['TCS', 'INFY', 'HDFCBANK', 'ACC']);
  });

  it('sorts by net value as decimals, unpriced last either way', () => {
    expect(sortTokens(tokens, 'net_value', 'desc').map((t) => t.symbol)).toEqual(['INFY', 'TCS', 'HDFCBANK', 'ACC']);
    expect(sortTokens(tokens, 'net_value', 'asc').map((t) => t.symbol)).toEqual(['HDFCBANK', 'TCS', 'INFY', 'ACC']);
  });

  it('sorts by unrealised P&L', () => {
    expect(sortTokens(tokens, 'unrealised_pnl', 'desc').map((t) => t.symbol)).toEqual(['INFY', 'HDFCBANK', 'ACC', 'TCS']);
  });
});
