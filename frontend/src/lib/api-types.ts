/**
 * Request/response shapes of the backend's /api/v1 (DESIGN.md §6) and its Socket.IO events (§5).
 *
 * The one place the app takes API types from. Where the backend already has the endpoint, the
 * type is DERIVED from the generated OpenAPI schema (src/lib/api-schema.d.ts, `npm run gen:api`).
 * Regenerate after a backend change (`npm run gen:api`), then `npm run typecheck`: the app only
 * uses the names exported here, so a changed shape shows up as a type error where it matters.
 * Socket.IO payloads are not part of OpenAPI and stay hand-written (last section).
 */
import type { components, operations } from './api-schema';

type Schemas = components['schemas'];

// ───────────────────────── auth, users, clients, tokens (generated) ─────────────────────────

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

/** GET /clients items; `summary` is null (with `summary_error`) when the broker did not answer. */
export type Client = Schemas['ClientOut'];

/** GET /groups items: a named set of clients, each with a multiplier (a Decimal string). */
export type ClientGroup = Schemas['GroupOut'];
export type GroupMember = Schemas['GroupMemberOut'];
/** POST /groups */
export type GroupCreate = Schemas['GroupCreate'];
/** PATCH /groups/{id}: `members` given replaces every member. */
export type GroupUpdate = Schemas['GroupUpdate'];

/** GET /clients/{id}/portfolio positions */
export type Position = Schemas['PositionOut'];
/** GET /clients/{id}/portfolio holdings: the demat account (DELIVERY buys join it at T+1) */
export type Holding = Schemas['HoldingOut'];
/** PortfolioSummary.segments: margin per segment (CASH, FO) */
export type SegmentFunds = Schemas['SegmentFundsOut'];

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

// ───────────────────────── orders, batches, trades, market (generated) ─────────────────────────

export type TradeType = Schemas['TradeType'];
export type OrderType = Schemas['OrderType'];
export type Side = Schemas['Side'];
export type Execution = Schemas['Execution'];
export type OrderStatus = Schemas['OrderStatus'];

/** GET /orders items, POST /orders/place, /orders/{id}/cancel, PATCH /orders/{id}; socket order_update */
export type Order = Schemas['OrderOut'];
/** One broker order of an order split at its instrument's freeze quantity (`Order.legs`, empty when not split). */
export type OrderLeg = Schemas['OrderLegOut'];

/** GET /clients/{id}/portfolio */
export type Portfolio = Schemas['PortfolioOut'];

/**
 * Request bodies. Prices are sent as decimal strings (the schema also allows numbers; we never
 * send floats).
 */
export type PlaceOrderRequest = Schemas['PlaceOrderRequest'];
export type ModifyOrderRequest = Schemas['ModifyOrderRequest'];
export type ExecuteAllRequest = Schemas['ExecuteAllRequest'];
export type ExitByTokenRequest = Schemas['ExitByTokenRequest'];

/** A batch row's status: an order status, or SKIPPED (no order was needed). */
export type BatchRowStatus = Schemas['BatchRow']['status'];
export type BatchRow = Schemas['BatchRow'];
/** An exit row's `closes`: POSITION, HOLDING (a Delivery sell of demat shares), or HOLDING_AND_POSITION */
export type Closes = Schemas['Closes'];
export type BatchCounts = Schemas['BatchCounts'];
/** 202 from execute-all / exit-by-token, GET /batches/{id} */
export type Batch = Schemas['BatchOut'];

/**
 * GET /tokens/{token_id}/holders: one row per client per trade type with a non-zero position (the
 * demat holding is part of DELIVERY: `held_quantity` of `net_quantity`); a client whose books
 * could not be read comes as a row with `error` (and no trade type).
 */
export type Holder = Schemas['HolderOut'];

/** GET /trades items */
export type Trade = Schemas['TradeOut'];

/** GET /market/quotes?token_ids= */
export type Quote = Schemas['QuoteOut'];

// ───────────────────────── risk limits, kill switch, audit (generated) ─────────────────────────

/** PUT /risk/limits, PUT /clients/{id}/risk-limits: a field left out or null means no limit at that scope. */
export type RiskLimitsRequest = Schemas['RiskLimitsIn-Input'];
/** GET/PUT /risk/limits; a client's own limits and the firm default in GET /clients/{id}/risk-limits */
export type RiskLimits = Schemas['RiskLimitsOut'];
/** The merge the checks use: the client's value, else the firm default (allow list replaces, deny lists add up). */
export type EffectiveRiskLimits = Schemas['RiskLimitsIn-Output'];
/** GET/PUT /clients/{id}/risk-limits */
export type ClientRiskLimits = Schemas['ClientRiskLimitsOut'];
/** A limit's name: max_order_quantity, max_order_value, … */
export type RiskLimitName = keyof EffectiveRiskLimits & string;

/** POST /risk/halt */
export type HaltRequest = Schemas['HaltRequest'];
/** POST /risk/resume */
export type ResumeRequest = Schemas['ResumeRequest'];
/** One active halt. */
export type Halt = Schemas['HaltOut'];
export type CancelFailure = Schemas['CancelFailure'];
/** GET /risk/status; POST /risk/halt and /risk/resume answer it too (with the cancel results). */
export type RiskStatus = Schemas['RiskStatusOut'];

/** GET /audit items */
export type AuditEvent = Schemas['AuditEventOut'];
/** GET /audit filters */
export type AuditQuery = NonNullable<operations['list_events_api_v1_audit_get']['parameters']['query']>;
/** GET /audit/verify */
export type ChainReport = Schemas['ChainReportOut'];

/** GET /book/positions: every visible client's lots per token (DELIVERY includes the demat holding), the token's
 * totals, and the clients whose books could not be read. */
export type BookPositions = Schemas['BookPositionsOut'];
export type BookToken = Schemas['BookToken'];
export type BookLine = Schemas['BookLine'];
export type BookClientError = Schemas['BookClientError'];
/** GET /book/summary: the caller's totals (P&L today, exposure, margin, best and worst client). */
export type BookSummary = Schemas['BookSummaryOut'];

// ───────────────────────── Socket.IO payloads (not in OpenAPI) ─────────────────────────

/** One instrument in a `prices` frame: decimals as strings. */
export interface PriceQuote {
  token_id: number;
  ltp: string;
  change: string;
  change_pct: string;
  volume: number;
  /** Best bid / offer; null when the feed has no book (a replay), absent from older servers. */
  bid?: string | null;
  ask?: string | null;
}

/**
 * server → client `prices`: one frame per flush (MULTIDESK_PRICE_EMIT_INTERVAL_MS) holding the
 * subscribed tokens that changed since this socket's last frame (latest wins). `ts` is the newest
 * tick in the frame (market time: a replay's clock while replaying).
 */
export interface PricesFrame {
  ts: string;
  quotes: PriceQuote[];
}

/** A quote with its time: a subscribe ack's `quotes` items, and a frame's quotes stamped with its `ts`. */
export interface PriceUpdate extends PriceQuote {
  ts: string;
}

/** server → client `position_update`, room client:{id} */
export interface PositionUpdate {
  client_id: number;
  token_id: number;
  trade_type: TradeType;
  net_quantity: number;
  average_price: string;
  realised_pnl?: string;
}

/** server → client `batch_progress`, room batch:{id}: one event per row as it resolves */
export interface BatchProgress {
  batch_id: number;
  client_id: number;
  order_id: number | null;
  status: BatchRowStatus;
  reason: string | null;
  /** Sent by the backend beyond the contract; used when present. */
  filled_quantity?: number;
  average_price?: string | null;
  done: number;
  total: number;
}

/** One candle in GET /market/bars and in a `bars` frame: prices as decimal strings, `start` UTC ISO 8601. */
export interface ApiBar {
  start: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  /** false while its interval runs (the live candle) */
  complete: boolean;
}

/** One live candle in a `bars` frame. */
export interface BarUpdatePayload {
  token_id: number;
  interval: string;
  bar: ApiBar;
}

/**
 * server → client `bars`, once a second (the subscribe command): the live 1-minute candles of the
 * socket's tokens that changed, and a minute's candle once more with complete=true when it closes
 * (before the next minute's). The chart parses it with src/lib/bars.ts (checked, not trusted).
 */
export interface BarsFrame {
  bars: BarUpdatePayload[];
}

/** server → client `session_expired`: sent just before the server disconnects the socket. */
export interface SessionExpired {
  code: string;
  message: string;
}

/**
 * server → client `risk_status`, room users:all (every signed-in socket): a halt or resume was
 * committed. Only the firm-wide state: which halts a user may see (an advisor's halt is shown to
 * that advisor and admins only) and `you_are_halted` are per user, so the app refetches
 * GET /risk/status on it.
 */
export type RiskStatusChanged = Pick<RiskStatus, 'firm_halted'>;

/** Every command's ack: `{ok: true, ...}` or `{ok: false, error: {code, message, details}}`. */
export type RealtimeAck = { ok: true; [key: string]: unknown } | { ok: false; error: ErrorEnvelope['error'] };

export interface ServerToClientEvents {
  prices: (payload: PricesFrame) => void;
  order_update: (payload: Order) => void;
  position_update: (payload: PositionUpdate) => void;
  batch_progress: (payload: BatchProgress) => void;
  session_expired: (payload: SessionExpired) => void;
  risk_status: (payload: RiskStatusChanged) => void;
  /** While the market data is a replay: the replayed time, once a second. */
  market_clock: (payload: MarketClockTick) => void;
  bars: (payload: BarsFrame) => void;
}

/** GET /market/clock: the market's time (the replayed time while replaying). */
export type MarketClock = Schemas['MarketClockOut'];

export interface MarketClockTick {
  now: string;
  running: boolean;
}

/** GET /market/replay (admins); `speed` is replayed seconds per wall second, a decimal string. */
export type ReplayStatus = Schemas['ReplayStatusOut'];

export interface ClientToServerEvents {
  /** The ack also carries `quotes` (the latest quote of each subscribed token, with its `ts`). */
  subscribe: (payload: { token_ids: number[] }, ack?: (res: RealtimeAck) => void) => void;
  unsubscribe: (payload: { token_ids: number[] }, ack?: (res: RealtimeAck) => void) => void;
  watch_batch: (payload: { batch_id: number }, ack?: (res: RealtimeAck) => void) => void;
  unwatch_batch: (payload: { batch_id: number }, ack?: (res: RealtimeAck) => void) => void;
  /** Join client rooms the socket was not put in on connect (e.g. a client created since). */
  watch_clients: (payload: { client_ids: number[] }, ack?: (res: RealtimeAck) => void) => void;
  /** A fresh access token for the same user extends the socket's life. */
  renew: (payload: { token: string }, ack?: (res: RealtimeAck) => void) => void;
}

// ───────────────────────── the trading day (generated) ─────────────────────────

/** GET /market/status: the exchange's phase now, the next open and close. */
export type MarketStatus = Schemas['MarketStatusOut'];
export type MarketPhase = MarketStatus['phase'];
/** GET /market/calendar/overrides items: an admin's extra holiday or special session. */
export type CalendarOverride = Schemas['CalendarOverrideOut'];
/** POST /market/calendar/overrides */
export type CalendarOverrideIn = Schemas['CalendarOverrideIn'];

// ───────────────────────── cash ledger, contract notes, scheduled square-off (generated) ─────────────────────────

/** POST /clients/{id}/cash */
export type CashTransferIn = Schemas['CashTransferIn'];
export type CashTransfer = Schemas['CashTransferOut'];
/** GET /clients/{id}/ledger: every movement oldest first, each with the balance after it. */
export type Ledger = Schemas['LedgerOut'];
export type LedgerEntry = Schemas['LedgerEntryOut'];
/** GET/PUT /square-off/schedule */
export type SquareOffSchedule = Schemas['SquareOffScheduleOut'];
export type SquareOffScheduleIn = Schemas['SquareOffScheduleIn'];
