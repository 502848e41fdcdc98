/**
 * What a finished exit did for one client: the average price it exited at and the P&L it realised.
 * The exit's rows carry the fill (quantity, average price); the entry price is the client's position
 * as the exit page showed it when the advisor confirmed (its average per trade type), kept by the page
 * because the position is gone once the exit fills. Exact decimal arithmetic on the API's strings.
 */
import type { BatchRow, Holder } from './api-types';
import { add, dec, mul, sub, toDecimalString, type Dec } from './decimal';

export interface ExitResult {
  /** Quantity-weighted average exit price over the client's filled rows, or null before any fill. */
  averageExitPrice: string | null;
  /** Realised P&L of the filled quantity against the entry average; null when an entry price is unknown. */
  realisedPnl: string | null;
  filled: number;
}

/** One client's exit result from its exit rows and its positions at the time of the exit. */
export function exitResult(rows: readonly BatchRow[], entry: readonly Holder[]): ExitResult {
  let filled = 0;
  let notional: Dec = dec(0);
  let pnl: Dec | null = dec(0);
  for (const r of rows) {
    if (r.filled_quantity <= 0 || r.average_price === null) continue;
    filled += r.filled_quantity;
    notional = add(notional, mul(dec(r.average_price), dec(r.filled_quantity)));
    const position = entry.find((h) => h.trade_type === r.trade_type && h.net_quantity !== 0);
    if (!position || position.average_price === null || pnl === null) {
      pnl = null;
      continue;
    }
    // A long is sold (exit − entry), a short bought back (entry − exit).
    const perShare = position.net_quantity > 0 ? sub(dec(r.average_price), dec(position.average_price)) : sub(dec(position.average_price), dec(r.average_price));
    pnl = add(pnl, mul(perShare, dec(r.filled_quantity)));
  }
  if (filled === 0) return { averageExitPrice: null, realisedPnl: null, filled: 0 };
  return {
    averageExitPrice: averageOf(notional, filled),
    realisedPnl: pnl === null ? null : toDecimalString(roundPaise(pnl)),
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
  const scaled = notional.units * 10n ** BigInt(4) / (10n ** BigInt(notional.scale) * BigInt(quantity));
  return toDecimalString(roundPaise({ units: scaled, scale: 4 }));
}
