/**
 * The desk's trade type and order type, remembered per advisor in this browser (localStorage keyed by
 * the user id): a reload must not quietly turn a Delivery desk back into Intraday, a wrong-product risk.
 * Only known values are read back; anything else (another version's value, a hand edit) is ignored.
 */
import type { OrderType, TradeType } from './api-types';
import { ORDER_TYPES, TRADE_TYPES } from './orders';

export interface RememberedTerms {
  trade_type: TradeType;
  order_type: OrderType;
}

export const termsKey = (userId: number) => `multidesk:desk-terms:${userId}`;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage can be refused (privacy settings): the desk then starts from its defaults.
    return null;
  }
}

/** What this user last chose, or null. */
export function loadTerms(userId: number): Partial<RememberedTerms> | null {
  const raw = storage()?.getItem(termsKey(userId));
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { trade_type, order_type } = parsed as Record<string, unknown>;
    const out: Partial<RememberedTerms> = {};
    const trade = TRADE_TYPES.find((t) => t.value === trade_type);
    const order = ORDER_TYPES.find((t) => t.value === order_type);
    if (trade) out.trade_type = trade.value;
    if (order) out.order_type = order.value;
    return out;
  } catch {
    return null;
  }
}

export function saveTerms(userId: number, terms: RememberedTerms): void {
  try {
    storage()?.setItem(termsKey(userId), JSON.stringify(terms));
  } catch {
    // Full or refused storage: remembering is a convenience, the order itself is unaffected.
  }
}
