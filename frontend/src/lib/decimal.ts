/**
 * Exact decimal arithmetic on the API's decimal strings, via BigInt (never a JS float):
 * tick-size checks, P&L = (ltp − average) × quantity, estimated order values, totals.
 */
import { parseDecimal } from './format';

/** value = units / 10^scale */
export interface Dec {
  units: bigint;
  scale: number;
}

export function dec(value: string | number | bigint): Dec {
  if (typeof value === 'bigint') return { units: value, scale: 0 };
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`Only integer numbers are exact: ${value}`);
  }
  const d = parseDecimal(String(value));
  const units = BigInt(d.intDigits + d.fracDigits);
  return { units: d.negative ? -units : units, scale: d.fracDigits.length };
}

function rescale(a: Dec, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [rescale(a, scale), rescale(b, scale), scale];
}

export function add(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function sub(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function mul(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function cmp(a: Dec, b: Dec): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a: Dec): boolean {
  return a.units === 0n;
}

/** True when `a` is an exact integer multiple of `step` (step ≠ 0). */
export function isMultipleOf(a: Dec, step: Dec): boolean {
  const [x, y] = align(a, step);
  if (y === 0n) return false;
  return x % y === 0n;
}

/** Plain decimal string without exponent: {units: -12345n, scale: 2} -> "-123.45". */
export function toDecimalString(a: Dec): string {
  const negative = a.units < 0n;
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const int = digits.slice(0, digits.length - a.scale);
  const frac = a.scale > 0 ? `.${digits.slice(digits.length - a.scale)}` : '';
  return `${negative && a.units !== 0n ? '-' : ''}${int}${frac}`;
}

/** Sum of decimal strings, as a decimal string ("0" for none). */
export function sumStrings(values: Iterable<string>): string {
  let total: Dec = { units: 0n, scale: 0 };
  for (const v of values) total = add(total, dec(v));
  return toDecimalString(total);
}

/** Unrealised P&L of a position at a last price: (ltp − average_price) × net_quantity. */
export function unrealisedPnl(ltp: string, averagePrice: string, netQuantity: number | string): string {
  return toDecimalString(mul(sub(dec(ltp), dec(averagePrice)), dec(netQuantity)));
}

/** price × quantity as a decimal string. */
export function notional(price: string, quantity: number | string): string {
  return toDecimalString(mul(dec(price), dec(quantity)));
}

/** -1, 0 or 1 for a decimal string. */
export function signOf(value: string): -1 | 0 | 1 {
  return cmp(dec(value), { units: 0n, scale: 0 });
}

/** A decimal string a user may type as a price: digits with an optional fraction, no sign/exponent. */
export const PLAIN_DECIMAL_RE = /^\d+(\.\d+)?$/;
