/**
 * Errors shown to people: the one table of human sentences for the backend's error codes, the functions that
 * turn an API error or an order's reason ("INSUFFICIENT_MARGIN: required 28398000.00, available 499941.50")
 * into those sentences ("Insufficient margin: needs ₹2,83,98,000.00, available ₹4,99,941.50"), and a 422's
 * field errors mapped back onto form fields.
 *
 * The table covers every code in error-codes.json, which backend/scripts/error_codes.py reads out of the backend
 * (a backend test fails when that file is stale, errors.test.ts when a code in it has no sentence). An entry is a
 * short title, shown alone when nothing more is known, else followed by the backend's own words about the case;
 * `detail` rewrites those words where they carry machine numbers.
 */
import { money } from './format';
import { ApiError } from './http';

export interface Sentence {
  title: string;
  /** The backend's words about this case (after "CODE: ", or an API error's message) for people; null: keep them. */
  detail?: (words: string) => string | null;
}

const AMOUNT = String.raw`(-?\d+(?:\.\d+)?)`;

/** "required 28398000.00, available 499941.50" and the preview's "Margin required X is more than the Y available." */
function margin(words: string): string | null {
  const m =
    new RegExp(String.raw`required ${AMOUNT}, available ${AMOUNT}`).exec(words) ??
    new RegExp(String.raw`required ${AMOUNT} is more than the ${AMOUNT} available`).exec(words);
  return m ? `needs ${money(m[1])}, available ${money(m[2])}` : null;
}

function valueLimit(words: string): string | null {
  const m = new RegExp(String.raw`Order value ${AMOUNT} is above the limit of ${AMOUNT}`).exec(words);
  return m ? `order value ${money(m[1])} is above the limit of ${money(m[2])}` : null;
}

function exposureLimit(words: string): string | null {
  const m = new RegExp(String.raw`would be ${AMOUNT}, above the limit of ${AMOUNT}`).exec(words);
  return m ? `gross exposure would be ${money(m[1])}, above the limit of ${money(m[2])}` : null;
}

function dailyLoss(words: string): string | null {
  const m = new RegExp(String.raw`P&L ${AMOUNT} is beyond the daily loss limit of ${AMOUNT}`).exec(words);
  return m ? `today's P&L ${money(m[1])} is beyond the limit of ${money(m[2])}; only exits can be sent` : null;
}

function priceBand(words: string): string | null {
  const m = new RegExp(String.raw`Price ${AMOUNT} is more than ${AMOUNT}% away from the last price ${AMOUNT}`).exec(
    words,
  );
  return m ? `${money(m[1])} is more than ${m[2]}% from the last price ${money(m[3])}` : null;
}

const s = (title: string, detail?: Sentence['detail']): Sentence => (detail ? { title, detail } : { title });

export const ERROR_SENTENCES: Readonly<Record<string, Sentence>> = {
  ACCOUNT_INACTIVE: s('This account is deactivated'),
  ADVISOR_NOT_FOUND: s('No such advisor'),
  ALLOCATION_CONFLICT: s('The allocation settings contradict each other'),
  ALLOCATION_INPUT: s('The allocation is incomplete'),
  ALREADY_EXITING: s('An exit of this instrument is already running'),
  ALREADY_RETRIED: s('These rows were already retried'),
  BAD_REQUEST: s('The request could not be understood'),
  BATCH_NOT_FOUND: s('No such batch'),
  BOOKS_UNREADABLE: s("The client's positions could not be read"),
  BROKER_ACCOUNT_UNAVAILABLE: s("The client's broker account cannot be used"),
  BROKER_LOGIN_FAILED: s('The broker refused the login'),
  BROKER_UNAVAILABLE: s('The broker could not be reached'),
  CALENDAR_OVERRIDE_EXISTS: s('That day already has a calendar override'),
  CALENDAR_OVERRIDE_NOT_FOUND: s('No such calendar override'),
  CASH_NOT_SUPPORTED: s("This client's broker does not take deposits or withdrawals from here"),
  CASH_REFUSED: s('The broker refused the deposit or withdrawal'),
  CLIENT_EXISTS: s('A client with this broker account already exists'),
  CLIENT_INACTIVE: s('Client deactivated'),
  CLIENT_NOT_FOUND: s('No such client'),
  CONTENT_TOO_LARGE: s('The request is too large'),
  CREDENTIALS_UNREADABLE: s("The client's broker credentials cannot be read; enter them again"),
  CSRF_HEADER_MISSING: s('The request was refused for safety; reload the page'),
  DAILY_LOSS: s('Daily loss limit reached', dailyLoss),
  DATABASE_UNAVAILABLE: s('The database cannot be reached right now; try again in a moment'),
  DUPLICATE_TAG: s('This order tag is already used'),
  EMAIL_TAKEN: s('This email is already in use'),
  FRONTEND_NOT_BUILT: s('The web app is not built on the server'),
  GROSS_EXPOSURE: s('Gross exposure limit', exposureLimit),
  GROUP_EXISTS: s('A group with this name already exists'),
  GROUP_NOT_FOUND: s('No such group'),
  HTTP_429: s('The broker is limiting requests; nothing was done, try again'),
  IDEMPOTENCY_KEY_REQUIRED: s('The request lacked its one-time key; reload and try again'),
  IDEMPOTENCY_KEY_REUSED: s('This request was already sent with different contents'),
  INSTRUMENT_NOT_ALLOWED: s('Instrument not allowed for this client'),
  INSUFFICIENT_CASH: s('Not enough cash available to withdraw'),
  INSUFFICIENT_HOLDINGS: s('Not enough shares held'),
  INSUFFICIENT_MARGIN: s('Insufficient margin', margin),
  INTERNAL_ERROR: s('Something went wrong on our side; nothing more was done'),
  INVALID_AMOUNT: s('That amount is not valid'),
  INVALID_CREDENTIALS: s('Wrong email or password'),
  INVALID_DATE: s('That date is not valid'),
  INVALID_IDEMPOTENCY_KEY: s('The request carried a malformed one-time key'),
  INVALID_INDICATOR: s('Unknown chart indicator'),
  INVALID_INTERVAL: s('Unknown chart interval'),
  INVALID_MODIFY: s('That change cannot be made to this order'),
  INVALID_PERIOD: s('That period is not valid'),
  INVALID_PRICE: s('Price not accepted'),
  INVALID_QUANTITY: s('Quantity not accepted'),
  INVALID_RANGE: s('The start is after the end'),
  INVALID_REQUEST: s('The request was not valid'),
  INVALID_TAG: s('That order tag is not valid'),
  INVALID_TOKEN: s('Unknown instrument'),
  INVALID_TOKEN_IDS: s('Unknown instruments'),
  INVALID_TRIGGER: s('Trigger price not accepted'),
  INVALID_VALUE: s('A value is out of range or has characters that cannot be stored'),
  IP_NOT_WHITELISTED: s("This server's address is not whitelisted at the broker"),
  LOGIN_LOCKED: s('Too many failed sign-ins; wait a moment and try again'),
  LOT_ROUNDED: s('Rounded down to whole lots'),
  MARKET_CLOSED: s('The market is closed'),
  MARKET_DATA_UNAVAILABLE: s('Live prices are unavailable right now'),
  MAX_ORDER_QUANTITY: s('Quantity above the limit'),
  MAX_ORDER_VALUE: s('Order value above the limit', valueLimit),
  METHOD_NOT_ALLOWED: s('That action is not available here'),
  MISSING_TOKEN: s('Please sign in again'),
  MODIFY_TIME_UNKNOWN: s('The broker did not confirm the change in time; check the order before changing it again'),
  MOTILAL_REJECTED: s('Motilal rejected the order'),
  MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID: s('The client set to supply Motilal prices cannot be used'),
  NOTHING_TO_MODIFY: s('Nothing was changed'),
  NOTHING_TO_RETRY: s('Nothing in this batch can be retried'),
  NOT_AT_BROKER: s('Never reached the broker'),
  NOT_AUTHENTICATED: s('Please sign in again'),
  NOT_A_SCRIP_MASTER: s("The file is not the broker's instrument list"),
  NOT_CONNECTED: s('The live connection is not signed in'),
  NOT_FOUND: s('Not found'),
  NOT_HALTED: s('Trading is not halted'),
  NOT_WRITTEN: s('Not sent: this row could not be saved'),
  NO_ANSWER: s('No answer from the broker yet'),
  NO_INSTRUMENT_MASTER: s('The instrument list has not been loaded'),
  NO_LAST_PRICE: s('No last price for this instrument'),
  NO_POSITION: s('No position to exit'),
  NO_PRICE_FOR_SIZING: s('No price to size the order with'),
  ORDER_NOT_FOUND: s('No such order'),
  ORDER_NOT_OPEN: s('The order is no longer open'),
  OWNER_NOT_ADVISOR: s('Only an advisor can own clients'),
  OWNER_NOT_ALLOWED: s('You cannot assign clients to that advisor'),
  PARTLY_FILLED: s('Partly filled'),
  POSITIONS_UNAVAILABLE: s("The client's positions could not be read"),
  PRICE_BAND: s('Price outside the allowed band', priceBand),
  PRICE_NOT_ALLOWED: s('This order type takes no price'),
  PRICE_REQUIRED: s('This order type needs a price'),
  PRICE_TOO_LARGE: s('Price above the largest allowed'),
  QUANTITY_TOO_LARGE: s('Quantity above the largest allowed'),
  RATE_LIMITED: s('Too many requests; wait a moment and try again'),
  REPLAY_NOT_ACTIVE: s('Market replay is not running'),
  RETRY_NOT_SUPPORTED: s('This batch cannot be retried'),
  RISK_LIMIT: s('Blocked by a risk limit'),
  ROUNDS_TO_ZERO: s('Rounds to zero shares'),
  SEEK_OUT_OF_RANGE: s('That time is outside the replayed day'),
  SELF_LOCKOUT: s('You cannot lock yourself out'),
  SESSION_ENDED: s('Your session has ended; please sign in again'),
  SESSION_EXPIRED: s('Your session expired; please sign in again'),
  SIMULATED_REJECT: s('The simulator rejected the order'),
  SPLIT_QUANTITY_FIXED: s('A split order’s quantity cannot be changed'),
  SQUARED_OFF: s('Squared off by the broker at the end of the intraday session'),
  STARTUP_BUSY: s('The server is still starting; try again in a moment'),
  TOKEN_NOT_FOUND: s('No such instrument'),
  TOO_MANY_LEGS: s('Too many orders after splitting at the freeze quantity'),
  TOO_MANY_SUBSCRIPTIONS: s('Too many instruments watched at once'),
  TRADE_NOT_FOUND: s('No such trade'),
  TRADING_HALTED: s('Trading is halted'),
  TRIGGER_NOT_ALLOWED: s('This order type takes no trigger price'),
  TRIGGER_REQUIRED: s('This order type needs a trigger price'),
  UNKNOWN_EXCHANGE: s('Unknown exchange'),
  UNKNOWN_FIELD: s('The request has a field this server does not know; nothing was done'),
  UNKNOWN_INSTRUMENT: s('Unknown instrument'),
  UNKNOWN_TOKEN: s('Unknown instrument'),
  UNSUPPORTED_EXCHANGE: s("The client's broker does not trade on this exchange"),
  UNSUPPORTED_PRODUCT: s("The client's broker does not offer this product"),
  VALIDATION_ERROR: s('Check the highlighted values'),
};

const GENERIC = 'Something went wrong. Please try again.';

/** Codes made up on this side (no error envelope from the backend): their message is already ours. */
function isClientSideCode(code: string): boolean {
  return code === 'NETWORK_ERROR' || code === 'UNEXPECTED' || code === 'INVALID_RESPONSE' || code.startsWith('HTTP_');
}

/** A code at the start of a reason, or after some words ("The broker refused: INSUFFICIENT_MARGIN: ..."). */
const CODE_AT = /(^|[\s(])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): /;

/** The title and the backend's words about this case, as one sentence. */
function sentence(code: string, words: string): string {
  const entry = ERROR_SENTENCES[code];
  if (!entry) return words ? `${code.charAt(0)}${code.slice(1).toLowerCase().replace(/_/g, ' ')}: ${words}` : code;
  if (!words) return entry.title;
  const detail = entry.detail?.(words);
  return `${entry.title}: ${detail ?? reasonText(words)}`;
}

/**
 * An order's or a batch row's reason for people: "INSUFFICIENT_MARGIN: required 28398000.00, available 499941.50"
 * becomes "Insufficient margin: needs ₹2,83,98,000.00, available ₹4,99,941.50"; words before a code are kept
 * ("The broker refused: …"), and codes inside the words are turned too. Text with no code is left as it is.
 */
export function reasonText(reason: string | null | undefined): string {
  if (!reason) return '';
  const m = CODE_AT.exec(reason);
  if (!m) return reason;
  const start = m.index + m[1]!.length;
  const code = m[2]!;
  return reason.slice(0, start) + sentence(code, reason.slice(start + code.length + 2).trim());
}

/** A code with the backend's words about the case (a preview warning, a risk verdict) as one sentence. */
export function codeSentence(code: string, words: string | null | undefined): string {
  return sentence(code, (words ?? '').trim());
}

/** The sentence of a code alone ("Trading is halted"), for a code the API returned without words. */
export function codeTitle(code: string): string {
  return ERROR_SENTENCES[code]?.title ?? code;
}

/**
 * An API error for people, never its bare code: the backend's message (written for people) with any machine
 * reason inside it turned into a sentence, or the code's sentence when there is no message; numbers in a known
 * message shape shown as money. Anything that is not an ApiError gets a generic sentence.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return GENERIC;
  if (isClientSideCode(err.code)) return err.message || GENERIC;
  const message = err.message && err.message !== err.code ? err.message.trim() : '';
  if (!message) return codeTitle(err.code);
  if (CODE_AT.test(message)) return reasonText(message);
  const detail = ERROR_SENTENCES[err.code]?.detail?.(message);
  if (detail) return `${codeTitle(err.code)}: ${detail}`;
  if (err.code === 'VALIDATION_ERROR') return `${codeTitle(err.code)}: ${message}`;
  return message;
}

interface FieldError {
  loc: string[];
  msg: string;
}

function isFieldError(v: unknown): v is FieldError {
  if (typeof v !== 'object' || v === null) return false;
  const { loc, msg } = v as Record<string, unknown>;
  return Array.isArray(loc) && loc.every((p) => typeof p === 'string') && typeof msg === 'string';
}

/**
 * A 422 VALIDATION_ERROR's `details.errors` (`[{loc: ["body", "max_order_value"], msg}]`) as
 * `{max_order_value: msg}`, for the fields given; the first message per field wins.
 */
export function fieldErrorsFrom<F extends string>(err: unknown, fields: readonly F[]): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  if (!(err instanceof ApiError) || err.code !== 'VALIDATION_ERROR') return out;
  const details = err.details as { errors?: unknown } | undefined;
  const errors = Array.isArray(details?.errors) ? details.errors : [];
  for (const e of errors) {
    if (!isFieldError(e)) continue;
    const path = e.loc[0] === 'body' ? e.loc.slice(1) : e.loc;
    const field = fields.find((f) => f === path[0]);
    if (field !== undefined && out[field] === undefined) out[field] = e.msg;
  }
  return out;
}
