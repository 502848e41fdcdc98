/**
 * Client figures for the /clients list and the client page: sorting, filtering, and the summary at live
 * prices, so a card or a list cell shows the same P&L as the positions table beside it.
 */
import type { Client, PortfolioSummary, Position } from './api-types';
import { cmp, dec, sumStrings, unrealisedPnl } from './decimal';
import { livePnl } from './positions';

export type ClientSortKey =
  | 'name'
  | 'cash'
  | 'margin_used'
  | 'margin_available'
  | 'realised_pnl'
  | 'unrealised_pnl'
  | 'open_positions';

export const CLIENT_SORTS: Array<{ key: ClientSortKey; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'cash', label: 'Cash' },
  { key: 'margin_used', label: 'Margin used' },
  { key: 'margin_available', label: 'Margin available' },
  { key: 'realised_pnl', label: 'Realised P&L' },
  { key: 'unrealised_pnl', label: 'Unrealised P&L' },
  { key: 'open_positions', label: 'Open positions' },
];

/** Sorts clients by a column; clients without a summary go last whatever the direction. */
export function sortClients(clients: readonly Client[], key: ClientSortKey, dir: 'asc' | 'desc'): Client[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...clients].sort((a, b) => {
    if (key === 'name') return sign * a.display_name.localeCompare(b.display_name, 'en-IN');
    const sa = a.summary;
    const sb = b.summary;
    if (!sa || !sb) return sa ? -1 : sb ? 1 : 0;
    if (key === 'open_positions') return sign * (sa.open_positions - sb.open_positions);
    try {
      return sign * cmp(dec(sa[key]), dec(sb[key]));
    } catch {
      return 0;
    }
  });
}

/** Clients whose name, broker or broker client id contains every word typed (any case). */
export function filterClients(clients: readonly Client[], text: string): Client[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...clients];
  return clients.filter((c) => {
    const hay = `${c.display_name} ${c.broker} ${c.broker_client_id}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** A token's live last price, or undefined before the first quote. */
export type LtpOf = (tokenId: number) => string | undefined;

/**
 * A list row's summary with unrealised P&L at live prices: the sum over its open positions of
 * (last price − average) × net quantity. Until every one of them has a live price the server's figure stays
 * (a part-live sum would be neither).
 */
export function liveSummary(summary: PortfolioSummary, ltp: LtpOf): PortfolioSummary {
  const positions = summary.positions ?? [];
  const prices = positions.map((p) => ltp(p.token_id));
  if (positions.length === 0 || prices.some((price) => price === undefined)) return summary;
  try {
    const unrealised = sumStrings(positions.map((p, i) => unrealisedPnl(prices[i] as string, p.average_price, p.net_quantity)));
    return { ...summary, unrealised_pnl: unrealised };
  } catch {
    return summary;
  }
}

/** The client with its summary at live prices (see liveSummary). */
export function liveClient(client: Client, ltp: LtpOf): Client {
  return client.summary ? { ...client, summary: liveSummary(client.summary, ltp) } : client;
}

/**
 * The client page's summary cards from the same rows as its positions table: realised and unrealised P&L
 * are the sums of the rows' figures (unrealised at each row's live price, as the table shows it), open
 * positions the rows with a net quantity. Cash and margin are the broker's, read again after every order change.
 */
export function portfolioFigures(summary: PortfolioSummary, positions: readonly Position[], ltp: LtpOf): PortfolioSummary {
  try {
    return {
      ...summary,
      realised_pnl: sumStrings(positions.map((p) => p.realised_pnl)),
      unrealised_pnl: sumStrings(positions.map((p) => livePnl(p, ltp(p.token_id) ?? p.last_price) ?? '0')),
      open_positions: positions.filter((p) => p.net_quantity !== 0).length,
    };
  } catch {
    return summary;
  }
}
