/** The book across clients: live revaluation at the quotes store's prices, per-token totals, sorting. */
import type { BookLine, BookSummary, BookToken } from './api-types';
import { add, dec, mul, sub, toDecimalString, type Dec } from './decimal';

export type BookSortKey = 'symbol' | 'net_value' | 'unrealised_pnl';
export type SortDirection = 'asc' | 'desc';

const ZERO: Dec = { units: 0n, scale: 0 };

function round2(value: Dec): string {
  // Half away from zero to paise, as the server quantizes (ROUND_HALF_EVEN differs only on exact half-paise).
  const s = toDecimalString(value);
  const [int, frac = ''] = s.split('.');
  if (frac.length <= 2) return `${int}.${frac.padEnd(2, '0')}`;
  const cents = dec(`${int}.${frac.slice(0, 2)}`);
  const rest = Number(`0.${frac.slice(2)}`);
  if (rest < 0.5) return toDecimalString(cents);
  const step = dec(s.startsWith('-') ? '-0.01' : '0.01');
  return toDecimalString(add(cents, step));
}

/** A token's lots and totals revalued at `ltp` (unchanged when there is no price). */
export function revalueToken(token: BookToken, ltp: string | undefined): BookToken {
  if (!ltp) return token;
  const clients: BookLine[] = token.clients.map((line) => ({
    ...line,
    last_price: ltp,
    unrealised_pnl: round2(mul(sub(dec(ltp), dec(line.average_price)), dec(line.net_quantity))),
  }));
  return {
    ...token,
    last_price: ltp,
    net_value: round2(mul(dec(ltp), dec(token.net_quantity))),
    unrealised_pnl: toDecimalString(clients.reduce((sum, l) => add(sum, dec(l.unrealised_pnl)), ZERO)),
    clients,
  };
}

/** The summary's P&L and exposure recomputed from the live tokens; margin and the best/worst client stay the server's. */
export function liveTotals(summary: BookSummary, tokens: readonly BookToken[]): BookSummary {
  let unrealised = ZERO;
  let exposure = ZERO;
  for (const token of tokens) {
    for (const line of token.clients) {
      unrealised = add(unrealised, dec(line.unrealised_pnl));
      if (line.last_price) exposure = add(exposure, mul(dec(line.last_price), dec(Math.abs(line.net_quantity))));
    }
  }
  return {
    ...summary,
    unrealised_pnl: toDecimalString(unrealised),
    pnl_today: toDecimalString(add(unrealised, dec(summary.realised_pnl))),
    gross_exposure: round2(exposure),
  };
}

function compareDecimal(a: string | null | undefined, b: string | null | undefined): number {
  // Unpriced (null) values sort last whichever the direction.
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  const d = sub(dec(a), dec(b));
  return d.units === 0n ? 0 : d.units > 0n ? 1 : -1;
}

/** Tokens sorted by symbol, net value or unrealised P&L; ties broken by symbol then token id. */
export function sortTokens(tokens: readonly BookToken[], key: BookSortKey, direction: SortDirection): BookToken[] {
  const sign = direction === 'asc' ? 1 : -1;
  const bySymbol = (a: BookToken, b: BookToken) => a.symbol.localeCompare(b.symbol) || a.token_id - b.token_id;
  return [...tokens].sort((a, b) => {
    if (key === 'symbol') return sign * bySymbol(a, b);
    const [x, y] = key === 'net_value' ? [a.net_value, b.net_value] : [a.unrealised_pnl, b.unrealised_pnl];
    const unpriced = (x == null) !== (y == null);
    const order = compareDecimal(x, y);
    return (unpriced ? order : sign * order) || bySymbol(a, b);
  });
}

/** The default direction when a column is first chosen: names A→Z, amounts largest first. */
export function defaultDirection(key: BookSortKey): SortDirection {
  return key === 'symbol' ? 'asc' : 'desc';
}
