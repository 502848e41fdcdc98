/** Minimal API shapes for component tests of the client pages. */
import type { Client, Order, Portfolio, PortfolioSummary } from '@/lib/api-types';

export function summary(over: Partial<PortfolioSummary> = {}): PortfolioSummary {
  return {
    cash: '1000.00',
    margin_used: '0.00',
    margin_available: '1000.00',
    realised_pnl: '0',
    unrealised_pnl: '0',
    open_positions: 0,
    segments: [],
    positions: [],
    ...over,
  };
}

export function clientOut(id: number, name: string, over: Partial<PortfolioSummary> = {}): Client {
  return {
    id,
    owner_id: 2,
    display_name: name,
    broker: 'simulator',
    broker_client_id: `SIM${String(id).padStart(4, '0')}`,
    is_active: true,
    credentials_set: {},
    opening_cash: '1000.00',
    created_at: '2026-12-01T03:00:00Z',
    updated_at: '2026-12-01T03:00:00Z',
    summary: summary(over),
    summary_error: null,
  };
}

export function portfolioOut(clientId: number, over: Partial<PortfolioSummary> = {}, open_orders: Order[] = []): Portfolio {
  return { client_id: clientId, summary: summary(over), positions: [], holdings: [], open_orders };
}

export function orderOut(over: Partial<Order>): Order {
  return {
    id: 11,
    client_id: 1,
    client_name: 'Meera',
    batch_id: null,
    token_id: 7,
    symbol: 'RELIANCE',
    side: 'BUY',
    execution: 'BUY',
    order_type: 'LIMIT',
    trade_type: 'INTRADAY',
    quantity: 1,
    price: '20.00',
    trigger_price: null,
    status: 'OPEN',
    filled_quantity: 0,
    amo: false,
    average_price: null,
    reason: null,
    broker_note: null,
    broker_order_id: 'SIM-1',
    legs: [],
    created_at: '2026-12-01T04:00:00Z',
    updated_at: '2026-12-01T04:00:00Z',
    ...over,
  };
}

/** An open LIMIT buy of 10 RELIANCE (token 2885) at ₹1,400 for client `id`, as the order book's tests use. */
export function bookOrder(id: number, over: Partial<Order> = {}): Order {
  return orderOut({
    id,
    client_id: id,
    client_name: `Client ${id}`,
    token_id: 2885,
    quantity: 10,
    price: '1400.00',
    broker_order_id: `B${id}`,
    created_at: '2026-12-01T04:00:05Z',
    updated_at: '2026-12-01T04:00:05Z',
    ...over,
  });
}
