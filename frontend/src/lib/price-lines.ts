/**
 * The horizontal lines the price chart draws for one token: where the advisor's open orders wait
 * (limit and trigger prices) and the average price of the position held.
 *
 * Orders at the same price, side and kind become one line (an execute-all for 30 clients is one
 * line saying "×30", not thirty lines on top of each other). Averages are exact decimal sums,
 * divided only at the end because the result is only drawn.
 */
import type { BatchRowStatus, OrderType, Side } from './api-types';
import { add, dec, mul, toDecimalString, type Dec } from './decimal';
import { formatQty } from './format';
import { needsPrice, needsTrigger, OPEN_STATUSES } from './orders';

export type PriceLineKind = 'buy' | 'sell' | 'avg-long' | 'avg-short';

export interface PriceLineSpec {
  /** Stable per line, so a redraw can tell lines apart. */
  id: string;
  price: number;
  title: string;
  kind: PriceLineKind;
  /** Trigger prices are drawn dashed, limit prices and averages solid. */
  dashed: boolean;
}

export const PRICE_LINE_COLOR: Record<PriceLineKind, string> = {
  buy: '#047857',
  sell: '#b91c1c',
  'avg-long': '#1d4ed8',
  'avg-short': '#7c3aed',
};

/** The order fields a line needs (an OrderOut has them all). */
export interface OrderLike {
  token_id: number;
  side: Side;
  order_type: OrderType;
  status: BatchRowStatus;
  quantity: number;
  filled_quantity: number;
  price: string | null;
  trigger_price: string | null;
}

/** Orders that still wait at a price: live at the broker, or sent and not answered yet. */
const isWaiting = (s: BatchRowStatus) => OPEN_STATUSES.has(s) || s === 'PENDING';

function positivePrice(value: string | null): string | null {
  if (value === null) return null;
  try {
    const d = dec(value);
    // Canonical, so "1400" and "1400.00" are one price.
    return d.units > 0n ? toDecimalString(d).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : null;
  } catch {
    return null;
  }
}

/** Lines for the open orders of `tokenId` among `orders`. */
export function orderPriceLines(orders: readonly OrderLike[], tokenId: number): PriceLineSpec[] {
  const groups = new Map<string, { side: Side; what: 'LMT' | 'TRG'; price: string; quantity: number; count: number }>();
  for (const o of orders) {
    if (o.token_id !== tokenId || !isWaiting(o.status)) continue;
    const remaining = o.quantity - o.filled_quantity;
    if (remaining <= 0) continue;
    const at: Array<['LMT' | 'TRG', string | null]> = [];
    if (needsPrice(o.order_type)) at.push(['LMT', positivePrice(o.price)]);
    if (needsTrigger(o.order_type)) at.push(['TRG', positivePrice(o.trigger_price)]);
    for (const [what, price] of at) {
      if (price === null) continue;
      const key = `${o.side}:${what}:${price}`;
      const g = groups.get(key) ?? { side: o.side, what, price, quantity: 0, count: 0 };
      g.quantity += remaining;
      g.count += 1;
      groups.set(key, g);
    }
  }
  return [...groups.entries()].map(([key, g]) => ({
    id: `order:${key}`,
    price: Number(g.price),
    title: `${g.side} ${formatQty(g.quantity)} ${g.what === 'LMT' ? 'limit' : 'trigger'}${g.count > 1 ? ` ×${g.count}` : ''}`,
    kind: g.side === 'BUY' ? 'buy' : 'sell',
    dashed: g.what === 'TRG',
  }));
}

/** A position's fields a line needs (PositionOut and HolderOut have them). */
export interface PositionLike {
  net_quantity: number;
  average_price: string | null;
  error?: string | null;
}

/**
 * The average price of what is held, one line per direction: long positions (of all clients or
 * trade types given) averaged by quantity, short ones likewise. Rows with no average or an error
 * are left out.
 */
export function averagePriceLines(positions: readonly PositionLike[]): PriceLineSpec[] {
  const sides: Record<'long' | 'short', { cost: Dec; quantity: number }> = {
    long: { cost: dec(0), quantity: 0 },
    short: { cost: dec(0), quantity: 0 },
  };
  for (const p of positions) {
    if (p.error || p.net_quantity === 0) continue;
    const avg = positivePrice(p.average_price);
    if (avg === null) continue;
    const side = sides[p.net_quantity > 0 ? 'long' : 'short'];
    const q = Math.abs(p.net_quantity);
    side.cost = add(side.cost, mul(dec(avg), dec(q)));
    side.quantity += q;
  }
  const lines: PriceLineSpec[] = [];
  for (const direction of ['long', 'short'] as const) {
    const { cost, quantity } = sides[direction];
    if (quantity === 0) continue;
    lines.push({
      id: `avg:${direction}`,
      price: Number(toDecimalString(cost)) / quantity,
      title: `Avg ${direction} ${formatQty(quantity)}`,
      kind: direction === 'long' ? 'avg-long' : 'avg-short',
      dashed: false,
    });
  }
  return lines;
}
