/** The desk's order at a glance: how many clients, what quantity, and its estimated value. */
import type { OrderType } from './api-types';
import { dec, mul, PLAIN_DECIMAL_RE, toDecimalString } from './decimal';
import { needsPrice } from './orders';
import { parseQuantity, type OrderFormValues } from './validation';

/** The price an order's value is estimated at: its limit price, else the last traded price. */
export function estimatePrice(orderType: OrderType, price: string, ltp: string | undefined): string | null {
  if (needsPrice(orderType)) return PLAIN_DECIMAL_RE.test(price.trim()) ? price.trim() : null;
  return ltp ?? null;
}

export interface Summary {
  clients: number;
  quantity: number;
  value: string | null;
}

export function summarise(values: Pick<OrderFormValues, 'allocations' | 'order_type' | 'price'>, ltp: string | undefined): Summary {
  let clients = 0;
  let quantity = 0;
  for (const a of values.allocations) {
    if (!/^\d*$/.test(a.quantity.trim())) continue;
    const q = parseQuantity(a.quantity);
    if (q > 0) {
      clients++;
      quantity += q;
    }
  }
  const price = estimatePrice(values.order_type, values.price, ltp);
  let value: string | null = null;
  if (price && quantity > 0) {
    try {
      value = toDecimalString(mul(dec(price), dec(quantity)));
    } catch {
      value = null;
    }
  }
  return { clients, quantity, value };
}

/**
 * The footer's line for quantities to fix: the first row's client and what is wrong with it, and how many
 * more rows need fixing; undefined when none. It names the mistake rather than "no quantity entered" (defect 7).
 */
export function rowErrorsLine(rows: ReadonlyArray<{ name: string; message: string | undefined }>): string | undefined {
  const wrong = rows.filter((r) => r.message);
  if (wrong.length === 0) return undefined;
  const more = wrong.length - 1;
  return `${wrong[0]!.name}: ${wrong[0]!.message}` + (more > 0 ? ` (and ${more} more row${more > 1 ? 's' : ''} to fix)` : '');
}
