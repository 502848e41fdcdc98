/** Client list helpers. */
import type { Client } from './api-types';
import { cmp, dec } from './decimal';

export type ClientSortKey = 'name' | 'cash' | 'margin_available' | 'realised_pnl' | 'unrealised_pnl' | 'open_positions';

export const CLIENT_SORTS: Array<{ key: ClientSortKey; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'cash', label: 'Cash' },
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

