/**
 * Which rows of a finished batch "Retry failed rows" sends again (POST /batches/{id}/retry):
 * those the broker never took — REJECTED, or CANCELLED with reason NOT_AT_BROKER (reconciliation
 * proved the broker has no such order). FAILED rows are not offered: their fate is unknown and the
 * broker may hold the order, so sending it again could double it. Exits are not retried either:
 * their quantities must come from the positions now (run exit-by-token again).
 */
import type { BatchRow } from '@/lib/api-types';
import type { BatchView } from '@/stores/batches';
import { batchRows, batchTotals } from '@/stores/batches';

export function isRetryableRow(row: Pick<BatchRow, 'status' | 'reason'>): boolean {
  if (row.status === 'REJECTED') return true;
  return row.status === 'CANCELLED' && (row.reason ?? '').startsWith('NOT_AT_BROKER');
}

/** The rows a retry would send, or none while the batch runs or for an exit. */
export function retryableRows(view: BatchView | undefined): BatchRow[] {
  if (!view || view.kind === 'EXIT_BY_TOKEN') return [];
  const totals = batchTotals(view);
  const finished = view.status === 'COMPLETED' || (totals.total > 0 && totals.pending === 0);
  return finished ? batchRows(view).filter(isRetryableRow) : [];
}

/** The retry body: a new price only for a LIMIT/SL batch and only when one was typed. */
export type RetryBody = { price?: string };

export function toRetryRequest(priced: boolean, price: string): RetryBody {
  const p = price.trim();
  return priced && p !== '' ? { price: p } : {};
}
