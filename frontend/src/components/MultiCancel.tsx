'use client';

import { useState } from 'react';

import type { Order } from '@/lib/api-types';
import { orderSide, type CancelResult } from '@/lib/order-book';
import { qty } from '@/lib/format';

import { Button, Modal } from './ui';

/**
 * The order book's bar for the chosen open orders: "Cancel 3 orders…", a confirmation listing them,
 * then one line per order saying what happened (cancelled, filled first, or why it was refused).
 */
export function MultiCancel({
  chosen,
  onCancel,
  onClear,
}: {
  chosen: readonly Order[];
  onCancel: (ids: readonly number[]) => Promise<CancelResult[]>;
  onClear: () => void;
}) {
  const [confirming, setConfirming] = useState<readonly Order[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<{ orders: readonly Order[]; results: CancelResult[] } | null>(null);

  const run = async () => {
    if (!confirming) return;
    setBusy(true);
    try {
      setResults({ orders: confirming, results: await onCancel(confirming.map((o) => o.id)) });
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  };

  const n = chosen.length;
  const byId = new Map((results?.orders ?? []).map((o) => [o.id, o]));
  const failed = results?.results.filter((r) => !r.ok).length ?? 0;
  return (
    <>
      {n > 0 && (
        <div
          data-testid="orders-selection"
          className="sticky top-0 z-10 mb-3 flex flex-wrap items-center justify-between gap-2 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm"
        >
          <span>
            {n} open order{n === 1 ? '' : 's'} chosen
          </span>
          <span className="flex gap-2">
            <Button variant="ghost" onClick={onClear}>
              Clear
            </Button>
            <Button variant="danger" onClick={() => setConfirming(chosen)} data-testid="orders-cancel-selected">
              Cancel {n} order{n === 1 ? '' : 's'}…
            </Button>
          </span>
        </div>
      )}

      {results && (
        <div
          role="status"
          data-testid="orders-cancel-results"
          className={`mb-3 rounded-lg border px-3 py-2 text-sm ${failed > 0 ? 'border-amber-300 bg-amber-50' : 'border-emerald-200 bg-emerald-50'}`}
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-medium">
              {results.results.length - failed} of {results.results.length} cancelled
              {failed > 0 ? `; ${failed} not` : ''}.
            </p>
            <Button variant="ghost" onClick={() => setResults(null)}>
              Dismiss
            </Button>
          </div>
          <ul className="mt-1 space-y-0.5">
            {results.results.map((r) => {
              const o = byId.get(r.id);
              return (
                <li key={r.id} data-testid="orders-cancel-result" data-order-id={r.id} data-ok={r.ok ? 'true' : 'false'} className="break-words">
                  <span className={r.ok ? 'text-emerald-800' : 'text-red-800'}>{r.ok ? '✓' : '✗'}</span> #{r.id}
                  {o && ` ${o.client_name} · ${orderSide(o)} ${o.symbol}`}: {r.message}
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <Modal
        open={confirming !== null}
        onClose={() => !busy && setConfirming(null)}
        title={`Cancel ${confirming?.length ?? 0} order${confirming?.length === 1 ? '' : 's'}?`}
        testId="orders-cancel-dialog"
      >
        {confirming && (
          <>
            <ul className="max-h-64 space-y-1 overflow-y-auto text-sm" data-testid="orders-cancel-list">
              {confirming.map((o) => (
                <li key={o.id}>
                  #{o.id} {o.client_name}: {orderSide(o)} {qty(o.quantity - o.filled_quantity)} {o.symbol}
                </li>
              ))}
            </ul>
            <p className="mt-2 text-sm text-slate-600">What has filled stays filled. Each order gets its own answer.</p>
            <div className="mt-4 flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(null)} disabled={busy}>
                Keep them
              </Button>
              <Button variant="danger" onClick={() => void run()} disabled={busy} data-testid="orders-cancel-confirm">
                {busy ? 'Cancelling…' : 'Cancel orders'}
              </Button>
            </div>
          </>
        )}
      </Modal>
    </>
  );
}
