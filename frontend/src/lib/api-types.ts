/**
 * Request/response shapes of the backend's /api/v1 (DESIGN.md §6) and its Socket.IO events (§5).
 *
 * The one place the app takes API types from. Where the backend already has the endpoint, the
 * type is DERIVED from the generated OpenAPI schema (src/lib/api-schema.d.ts, `npm run gen:api`).
 * Types marked `PENDING(orders)` are hand-written from the orders/realtime contract because the
 * backend does not expose those endpoints yet: once it does, run `npm run gen:api` and replace
 * each with the generated `Schemas['...']` (keeping the exported name), then `npm run typecheck`.
 * Socket.IO payloads are not part of OpenAPI and stay hand-written.
 */
import type { components } from './api-schema';

type Schemas = components['schemas'];

// ───────────────────────── generated (endpoint exists) ─────────────────────────

export type Role = Schemas['Role'];
/** GET /auth/me, GET /users items */
export type User = Schemas['UserOut'];
export type LoginRequest = Schemas['LoginRequest'];
export type TokenPair = Schemas['TokenPair'];
/** POST /users */
export type UserCreate = Schemas['UserCreate'];

/** GET /tokens/search, GET /tokens/{id} */
export type Instrument = Schemas['InstrumentOut'];

export type BrokerName = Schemas['BrokerName'];
export type PortfolioSummary = Schemas['PortfolioSummary'];
export type Credentials = Schemas['Credentials'];
export type CredentialName = keyof Credentials & string;
/** POST /clients */
export type ClientCreate = Schemas['ClientCreate'];
/** PATCH /clients/{id}: credentials fields given replace the stored ones; "" clears one. */
export type ClientUpdate = Schemas['ClientUpdate'];

/**
 * GET /clients items. PENDING(orders): the contract makes `summary` nullable (the broker may not
 * answer) with `summary_error` saying why; the generated schema still has it required.
 */
export type Client = Omit<Schemas['ClientOut'], 'summary'> & {
  summary: PortfolioSummary | null;
  summary_error?: string | null;
};

/** GET /clients/{id}/portfolio positions */
export type Position = Schemas['PositionOut'];

/** Lists: {"items","total","limit","offset"} */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The backend's error envelope: {"error": {"code", "message", "details"}} */
export interface ErrorEnvelope {
  error: Schemas['ErrorBody'];
}

// ───────────────────────── PENDING(orders): hand-written from the contract ─────────────────────────

export type TradeType = 'INTRADAY' | 'DELIVERY' | 'MTF';
export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export type Side = 'BUY' | 'SELL';
export type Execution = 'BUY' | 'SELL' | 'EXIT';
export type OrderStatus =
  | 'PENDING'
  | 'OPEN'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'CANCELLED'
  | 'DENIED'
  | 'REJECTED'
  | 'FAILED';

/** PENDING(orders): GET /orders items, POST /orders/place, /{id}/cancel, PATCH /orders/{id}. */
export interface Order {
  id: number;
  client_id: number;
  client_name: string;
  token_id: number;
  symbol: string;
  batch_id: number | null;
  execution: Execution;
  side: Side;
  order_type: OrderType;
  trade_type: TradeType;
  quantity: number;
  price: string | null;
  trigger_price: string | null;
  status: OrderStatus;
  reason: string | null;
  broker_note: string | null;
  broker_order_id: string | null;
  filled_quantity: number;
  average_price: string | null;
  created_at: string;
  updated_at: string;
}

/** PENDING(orders): GET /clients/{id}/portfolio (the generated PortfolioOut lacks open_orders). */
export type Portfolio = Omit<Schemas['PortfolioOut'], 'summary'> & {
  summary: PortfolioSummary | null;
  summary_error?: string | null;
  open_orders: Order[];
};

/** PENDING(orders): POST /orders/place body */
export interface PlaceOrderRequest {
  client_id: number;
  token_id: number;
  execution: Exclude<Execution, 'EXIT'>;
  order_type: OrderType;
  trade_type: TradeType;
  quantity: number;
  price?: string;
  trigger_price?: string;
}

/** PENDING(orders): PATCH /orders/{id} body */
export interface ModifyOrderRequest {
  quantity?: number;
  price?: string;
  trigger_price?: string;
}

/** PENDING(orders): POST /orders/execute-all body (with an Idempotency-Key header) */
export interface ExecuteAllRequest {
  token_id: number;
  execution: Exclude<Execution, 'EXIT'>;
  order_type: OrderType;
  trade_type: TradeType;
  price?: string;
  trigger_price?: string;
  allocations: Array<{ client_id: number; quantity: number }>;
}

/** PENDING(orders): POST /trades/exit-by-token/{token_id} body (with an Idempotency-Key header) */
export interface ExitByTokenRequest {
  client_ids?: number[];
  order_type?: 'MARKET' | 'LIMIT';
  price?: string;
}

export type BatchRowStatus = OrderStatus | 'SKIPPED';

export interface BatchRow {
  client_id: number;
  client_name: string;
  order_id: number | null;
  status: BatchRowStatus;
  reason: string | null;
  quantity: number;
  filled_quantity: number;
  average_price: string | null;
  trade_type: TradeType;
}

export interface BatchCounts {
  total: number;
  done: number;
  pending: number;
  open: number;
  partially_filled: number;
  filled: number;
  cancelled: number;
  denied: number;
  rejected: number;
  failed: number;
  skipped: number;
}

/** PENDING(orders): 202 from execute-all / exit-by-token, GET /batches/{id} */
export interface Batch {
  batch_id: number;
  kind: 'EXECUTE_ALL' | 'EXIT_BY_TOKEN';
  status: 'RUNNING' | 'COMPLETED';
  token_id: number;
  created_at: string;
  finished_at: string | null;
  counts: BatchCounts;
  rows: BatchRow[];
}

/** PENDING(orders): GET /tokens/{token_id}/holders (one row per client per trade type) */
export interface Holder {
  client_id: number;
  client_name: string;
  trade_type: TradeType;
  net_quantity: number;
  average_price: string;
  last_price: string | null;
  unrealised_pnl: string;
  realised_pnl: string;
}

/** PENDING(orders): GET /trades items */
export interface Trade {
  id: number;
  order_id: number;
  client_id: number;
  client_name: string;
  token_id: number;
  symbol: string;
  side: Side;
  trade_type: TradeType;
  quantity: number;
  price: string;
  executed_at: string;
}

/** PENDING(orders): GET /market/quotes?token_ids= */
export interface Quote {
  token_id: number;
  ltp: string;
  change: string;
  change_pct: string;
  open: string;
  high: string;
  low: string;
  prev_close: string;
  volume: number;
  ts: string;
}

// ───────────────────────── Socket.IO payloads (not in OpenAPI) ─────────────────────────

/** server → client `price_update`, room token:{id} */
export interface PriceUpdate {
  token_id: number;
  ltp: string;
  change: string;
  change_pct: string;
  volume: number;
  ts: string;
}

/** server → client `position_update`, room client:{id} */
export interface PositionUpdate {
  client_id: number;
  token_id: number;
  trade_type: TradeType;
  net_quantity: number;
  average_price: string;
}

/** server → client `batch_progress`, room batch:{id}: one event per row as it resolves */
export interface BatchProgress {
  batch_id: number;
  client_id: number;
  order_id: number | null;
  status: BatchRowStatus;
  reason: string | null;
  done: number;
  total: number;
}

export interface ServerToClientEvents {
  price_update: (payload: PriceUpdate) => void;
  order_update: (payload: Order) => void;
  position_update: (payload: PositionUpdate) => void;
  batch_progress: (payload: BatchProgress) => void;
}

export interface ClientToServerEvents {
  subscribe: (payload: { token_ids: number[] }, ack?: (res: unknown) => void) => void;
  unsubscribe: (payload: { token_ids: number[] }, ack?: (res: unknown) => void) => void;
  watch_batch: (payload: { batch_id: number }, ack?: (res: unknown) => void) => void;
}
