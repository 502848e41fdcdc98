/**
 * What a finished exit did for one client: the average price it exited at (weighted by the filled quantity
 * over its rows, one per trade type) and the P&L it realised, the sum of the rows' `realised_pnl` (the server
 * measures each against the average price of the position it closed). Exact decimal arithmetic.
 */
import type { BatchRow } from './api-types';
import { add, dec, mul, sumStrings, toDecimalString, type Dec } from './decimal';

export interface ExitResult {
  /** Quantity-weighted average exit price over the client's filled rows, or null before any fill. */
  averageExitPrice: string | null;
  /** Realised P&L of the filled quantity; null when a filled row has none (an older exit). */
  realisedPnl: string | null;
  filled: number;
}

export function exitResult(rows: readonly BatchRow[]): ExitResult {
  const filledRows = rows.filter((r) => r.filled_quantity > 0 && r.average_price !== null);
  const filled = filledRows.reduce((s, r) => s + r.filled_quantity, 0);
  if (filled === 0) return { averageExitPrice: null, realisedPnl: null, filled: 0 };
  const notional = filledRows.reduce((acc: Dec, r) => add(acc, mul(dec(r.average_price!), dec(r.filled_quantity))), dec(0));
  const pnls = filledRows.map((r) => r.realised_pnl ?? null);
  return {
    averageExitPrice: averageOf(notional, filled),
    realisedPnl: pnls.every((p) => p !== null) ? sumStrings(pnls as string[]) : null,
    filled,
  };
}

/** Half-up to paise: prices are quoted to the paisa. */
function roundPaise(d: Dec): Dec {
  if (d.scale <= 2) return d;
  const factor = 10n ** BigInt(d.scale - 2);
  const half = factor / 2n;
  const units = d.units < 0n ? -((-d.units + half) / factor) : (d.units + half) / factor;
  return { units, scale: 2 };
}

function averageOf(notional: Dec, quantity: number): string {
  // Four places, then to paise: an average of fills is shown like a price.
  const scaled = (notional.units * 10n ** 4n) / (10n ** BigInt(notional.scale) * BigInt(quantity));
  return toDecimalString(roundPaise({ units: scaled, scale: 4 }));
}
