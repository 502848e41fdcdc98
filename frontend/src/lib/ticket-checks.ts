/**
 * The desk ticket's sanity checks, before anything is sent. Two kinds:
 *  - refusals no broker would accept (an SL trigger on the wrong side of its limit): the form does not
 *    submit (see `slTriggerError`, used by the order form's schema);
 *  - warnings the advisor may override (a limit far from the last price, a price beyond the day's
 *    circuit band when one is known, a client's order value above its available margin): shown in the
 *    ticket and on the flagged rows, and repeated in the confirmation.
 * All on decimal strings (no floats).
 */
import type { OrderType } from './api-types';
import { cmp, dec, mul, PLAIN_DECIMAL_RE, sub, toDecimalString } from './decimal';
import { money } from './format';
import { needsPrice, needsTrigger } from './orders';

/** A limit this far (in percent) from the last price is more likely a typo than a plan. */
export const FAR_FROM_LAST_PCT = 10;

const isPrice = (s: string) => PLAIN_DECIMAL_RE.test(s.trim()) && cmp(dec(s.trim()), dec(0)) > 0;

/**
 * An SL order triggers, then rests at its limit: a BUY's trigger must not be above its limit and a
 * SELL's not below it, or every broker rejects it. Null when fine or when a price is not typed yet.
 */
export function slTriggerError(
  execution: 'BUY' | 'SELL',
  orderType: OrderType,
  price: string,
  trigger: string,
): string | null {
  if (orderType !== 'SL' || !isPrice(price) || !isPrice(trigger)) return null;
  const c = cmp(dec(trigger.trim()), dec(price.trim()));
  if (execution === 'BUY' && c > 0) return `For an SL buy the trigger must be at or below the limit price ${money(price.trim())}`;
  if (execution === 'SELL' && c < 0) return `For an SL sell the trigger must be at or above the limit price ${money(price.trim())}`;
  return null;
}

/** The day's price band, when the instrument's quote carries one. */
export interface CircuitBand {
  lower: string;
  upper: string;
}

export interface TicketWarning {
  code: 'FAR_FROM_LAST' | 'BEYOND_CIRCUIT';
  field: 'price' | 'trigger_price';
  message: string;
}

/** |a − b| / b in percent, rounded down to a whole number. */
function percentAway(a: string, b: string): number {
  const diff = sub(dec(a), dec(b));
  const abs = diff.units < 0n ? { ...diff, units: -diff.units } : diff;
  const ratio = toDecimalString(mul(abs, dec(100)));
  // A percentage for a sentence: float precision is fine here (no money is computed from it).
  return Math.floor(Number(ratio) / Number(b));
}

/** Warnings about the typed prices against the last price and the circuit band (none without a last price). */
export function priceWarnings({
  orderType,
  price,
  trigger,
  ltp,
  band,
}: {
  orderType: OrderType;
  price: string;
  trigger: string;
  ltp: string | undefined;
  band?: CircuitBand | null;
}): TicketWarning[] {
  const out: TicketWarning[] = [];
  const fields: Array<{ field: 'price' | 'trigger_price'; label: string; value: string }> = [];
  if (needsPrice(orderType) && isPrice(price)) fields.push({ field: 'price', label: 'Limit', value: price.trim() });
  if (needsTrigger(orderType) && isPrice(trigger)) fields.push({ field: 'trigger_price', label: 'Trigger', value: trigger.trim() });
  for (const f of fields) {
    if (band && (cmp(dec(f.value), dec(band.lower)) < 0 || cmp(dec(f.value), dec(band.upper)) > 0)) {
      out.push({
        code: 'BEYOND_CIRCUIT',
        field: f.field,
        message: `${f.label} ${money(f.value)} is outside today's circuit band ${money(band.lower)} – ${money(band.upper)}: the exchange will not accept it`,
      });
      continue;
    }
    if (ltp && isPrice(ltp)) {
      const pct = percentAway(f.value, ltp);
      if (pct >= FAR_FROM_LAST_PCT) {
        const side = cmp(dec(f.value), dec(ltp)) < 0 ? 'below' : 'above';
        out.push({
          code: 'FAR_FROM_LAST',
          field: f.field,
          message: `${f.label} ${money(f.value)} is ${pct}% ${side} the last price ${money(ltp)}`,
        });
      }
    }
  }
  return out;
}

/** A BUY's value for one client against the margin it has; null when there is nothing to flag. */
export interface MarginFlag {
  value: string;
  available: string;
}

/**
 * A client's order value above its available margin (BUY only: a sell frees margin). Null when the
 * value or the margin is unknown, or within it. The broker has the last word (leverage, MTF); this
 * flags the row so the advisor looks before sending.
 */
export function marginFlag(
  execution: 'BUY' | 'SELL',
  price: string | null,
  quantity: number,
  marginAvailable: string | null | undefined,
): MarginFlag | null {
  if (execution !== 'BUY' || !price || quantity <= 0 || marginAvailable == null) return null;
  const value = toDecimalString(mul(dec(price), dec(quantity)));
  return cmp(dec(value), dec(marginAvailable)) > 0 ? { value, available: marginAvailable } : null;
}
