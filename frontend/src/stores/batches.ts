/**
 * Live progress of batches (execute-all, exit-by-token), merged from three sources that may
 * arrive in any order and more than once: the 202 response / GET /batches/{id} snapshots, the
 * socket's batch_progress events, and order_update events of the batch's orders.
 *
 * A row is one child order: keyed by its order id, or by client and trade type while it has none
 * (a SKIPPED exit row). An exit batch may hold several rows for one client (one per trade type).
 *
 * Merge rule per row: a status never moves back (see statusRank), so a late PENDING cannot
 * overwrite FILLED and replaying an event changes nothing; fills only grow.
 */
import { create } from 'zustand';

import type { Batch, BatchProgress, BatchRow, BatchRowStatus, Order } from '@/lib/api-types';
import { isClosed, statusRank } from '@/lib/orders';

export interface BatchView {
  batch_id: number;
  kind: Batch['kind'] | null;
  token_id: number | null;
  /** COMPLETED when the server says so, or once every known row is closed. */
  status: Batch['status'];
  /** Row keys in the server's order (then arrival order). */
  keys: string[];
  rows: Record<string, BatchRow>;
  /** The largest row total the server reported (rows may not all be known yet). */
  total: number;
}

export interface BatchTotals {
  total: number;
  /** Rows that have an outcome (anything but PENDING). */
  resolved: number;
  /** Rows in a final state (filled, cancelled, denied, rejected, skipped). */
  closed: number;
  pending: number;
  open: number;
  filled: number;
  rejected: number;
  failed: number;
  skipped: number;
  cancelled: number;
  filledQuantity: number;
  /** Rows per status, with the server's not-yet-seen rows as PENDING (the progress bar's parts, the badges' words). */
  byStatus: Record<BatchRowStatus, number>;
}

export interface BatchState {
  batches: Record<number, BatchView>;
  applySnapshot: (batch: Batch) => void;
  applyProgress: (event: BatchProgress) => void;
  applyOrderUpdate: (order: Order) => void;
  forget: (batchId: number) => void;
}

type RowPatch = Partial<BatchRow> & { client_id: number };

export const rowKey = (r: { client_id: number; order_id?: number | null; trade_type?: string | null }) =>
  r.order_id != null ? `o${r.order_id}` : `c${r.client_id}:${r.trade_type ?? ''}`;

function emptyView(batchId: number): BatchView {
  return { batch_id: batchId, kind: null, token_id: null, status: 'RUNNING', keys: [], rows: {}, total: 0 };
}

/** Merges an incoming row state into the current one. Never moves a status back. */
export function mergeRow(current: BatchRow | undefined, incoming: RowPatch): BatchRow {
  const base: BatchRow = current ?? {
    client_id: incoming.client_id,
    client_name: '',
    order_id: null,
    status: 'PENDING',
    reason: null,
    quantity: 0,
    filled_quantity: 0,
    average_price: null,
    trade_type: null,
  };
  // Facts that do not change (name, quantity, trade type, order id) fill in whenever known.
  const merged: BatchRow = {
    ...base,
    client_name: incoming.client_name || base.client_name,
    order_id: incoming.order_id ?? base.order_id,
    quantity: incoming.quantity || base.quantity,
    trade_type: incoming.trade_type ?? base.trade_type,
    filled_quantity: Math.max(base.filled_quantity, incoming.filled_quantity ?? 0),
    average_price: incoming.average_price ?? base.average_price,
    // How a sized row's quantity was computed: only snapshots carry it, events never clear it.
    sizing: incoming.sizing ?? base.sizing ?? null,
  };
  if (incoming.status === undefined) return merged;
  const curRank = statusRank(base.status);
  const newRank = statusRank(incoming.status);
  // Higher rank wins; the same rank refreshes details, except that a closed row stays as it is.
  const advances = current === undefined || newRank > curRank || (newRank === curRank && !isClosed(base.status));
  if (!advances) return merged;
  return {
    ...merged,
    status: incoming.status,
    reason: incoming.reason !== undefined ? incoming.reason : base.reason,
  };
}

function put(view: BatchView, key: string, patch: RowPatch): BatchView {
  const current = view.rows[key];
  return {
    ...view,
    keys: current ? view.keys : [...view.keys, key],
    rows: { ...view.rows, [key]: mergeRow(current, patch) },
  };
}

function drop(view: BatchView, key: string): BatchView {
  const { [key]: _gone, ...rows } = view.rows;
  return { ...view, keys: view.keys.filter((k) => k !== key), rows };
}

/** The key of the row an event without trade type belongs to, if it can be told. */
function findRow(view: BatchView, clientId: number, orderId: number | null | undefined): string | null {
  if (orderId != null && view.rows[`o${orderId}`]) return `o${orderId}`;
  const candidates = view.keys.filter((k) => {
    const r = view.rows[k]!;
    return r.client_id === clientId && (orderId == null || r.order_id === null);
  });
  return candidates.length === 1 ? candidates[0]! : null;
}

function settle(view: BatchView): BatchView {
  const complete =
    view.keys.length > 0 &&
    view.keys.length >= view.total &&
    view.keys.every((k) => isClosed(view.rows[k]!.status));
  return complete && view.status !== 'COMPLETED' ? { ...view, status: 'COMPLETED' } : view;
}

function update(s: BatchState, batchId: number, fn: (v: BatchView) => BatchView | null) {
  const next = fn(s.batches[batchId] ?? emptyView(batchId));
  return next ? { batches: { ...s.batches, [batchId]: settle(next) } } : s;
}

export const useBatchStore = create<BatchState>()((set) => ({
  batches: {},

  applySnapshot(batch) {
    set((s) =>
      update(s, batch.batch_id, (v) => {
        let view: BatchView = {
          ...v,
          kind: batch.kind,
          token_id: batch.token_id,
          total: Math.max(v.total, batch.rows.length, batch.counts?.total ?? 0),
          status: batch.status === 'COMPLETED' ? 'COMPLETED' : v.status,
        };
        for (const row of batch.rows) {
          const key = rowKey(row);
          if (!view.rows[key]) {
            // A row first seen through an event (keyed without trade type) becomes this one.
            const provisional = `c${row.client_id}:`;
            const prev = view.rows[provisional];
            if (prev && (prev.order_id === null || prev.order_id === row.order_id)) {
              view = drop(view, provisional);
              view = put(view, key, prev);
            }
          }
          view = put(view, key, row);
        }
        // The server's order first.
        const serverKeys = batch.rows.map(rowKey);
        view = { ...view, keys: [...serverKeys, ...view.keys.filter((k) => !serverKeys.includes(k))] };
        return view;
      }),
    );
  },

  applyProgress(e) {
    set((s) =>
      update(s, e.batch_id, (v) => {
        const view = { ...v, total: Math.max(v.total, e.total) };
        const key = findRow(view, e.client_id, e.order_id) ?? rowKey({ client_id: e.client_id, order_id: e.order_id });
        return put(view, key, {
          client_id: e.client_id,
          order_id: e.order_id,
          status: e.status,
          reason: e.reason,
          ...(e.filled_quantity !== undefined ? { filled_quantity: e.filled_quantity } : {}),
          ...(e.average_price != null ? { average_price: e.average_price } : {}),
        });
      }),
    );
  },

  applyOrderUpdate(order) {
    const batchId = order.batch_id;
    if (batchId == null) return;
    set((s) => {
      // Only batches this page follows.
      if (!s.batches[batchId]) return s;
      return update(s, batchId, (view) => {
        const key = findRow(view, order.client_id, order.id) ?? `o${order.id}`;
        return put(view, key, {
          client_id: order.client_id,
          client_name: order.client_name,
          order_id: order.id,
          trade_type: order.trade_type,
          quantity: order.quantity,
          status: order.status,
          reason: order.reason,
          filled_quantity: order.filled_quantity,
          average_price: order.average_price,
        });
      });
    });
  },

  forget(batchId) {
    set((s) => {
      const { [batchId]: _gone, ...rest } = s.batches;
      return { batches: rest };
    });
  },
}));

export function batchRows(view: BatchView | undefined): BatchRow[] {
  return view ? view.keys.map((k) => view.rows[k]!) : [];
}

export function batchTotals(view: BatchView | undefined): BatchTotals {
  const t: BatchTotals = {
    total: 0,
    resolved: 0,
    closed: 0,
    pending: 0,
    open: 0,
    filled: 0,
    rejected: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
    filledQuantity: 0,
    byStatus: {
      PENDING: 0,
      OPEN: 0,
      PARTIALLY_FILLED: 0,
      FILLED: 0,
      CANCELLED: 0,
      DENIED: 0,
      REJECTED: 0,
      FAILED: 0,
      SKIPPED: 0,
    },
  };
  if (!view) return t;
  const rows = batchRows(view);
  t.total = Math.max(view.total, rows.length);
  for (const row of rows) {
    t.filledQuantity += row.filled_quantity;
    if (row.status !== 'PENDING') t.resolved++;
    if (isClosed(row.status)) t.closed++;
    t.byStatus[row.status]++;
    switch (row.status) {
      case 'PENDING':
        t.pending++;
        break;
      case 'OPEN':
      case 'PARTIALLY_FILLED':
        t.open++;
        break;
      case 'FILLED':
        t.filled++;
        break;
      case 'REJECTED':
      case 'DENIED':
        t.rejected++;
        break;
      case 'FAILED':
        t.failed++;
        break;
      case 'SKIPPED':
        t.skipped++;
        break;
      case 'CANCELLED':
        t.cancelled++;
        break;
    }
  }
  // Rows the server counted that we have not seen yet are still pending.
  t.pending += Math.max(0, t.total - rows.length);
  t.byStatus.PENDING += Math.max(0, t.total - rows.length);
  return t;
}
