'use client';

import { useState } from 'react';

import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { call, client } from '@/lib/api';
import { errorText, reasonText } from '@/lib/errors';
import { retryableRows, toRetryRequest, type RetryBody } from '@/lib/retry';
import { priceError } from '@/lib/validation';
import { qty } from '@/lib/format';
import type { BatchView } from '@/stores/batches';
import { useRiskStore } from '@/stores/risk';

import {
  Button,
  ErrorAlert,
  FieldError,
  inputClass,
  Modal,
} from '../ui';

/**
 * "Retry failed rows" for a finished batch: confirms which rows go again (REJECTED, or not at the
 * broker), optionally with a new price for a LIMIT/SL batch, posts the retry with an
 * Idempotency-Key, and hands the new batch's id to the page so it follows it like an execute-all.
 * Not offered while trading is halted for the advisor: that retry could not succeed.
 */
export function RetryFailedRows({
  view,
  priced,
  tickSize,
  onRetried,
}: {
  view: BatchView | undefined;
  /** The batch is LIMIT or SL: a new price may be given. */
  priced: boolean;
  tickSize: string;
  onRetried: (batchId: number) => void;
}) {
  const rows = retryableRows(view);
  const batchId = view?.batch_id;
  const submit = useBatchSubmit<RetryBody>(
    batchId === undefined
      ? null
      : (body, key) =>
          call(
            client.POST('/api/v1/batches/{batch_id}/retry', {
              params: { path: { batch_id: batchId }, header: { 'Idempotency-Key': key } },
              body,
            }),
          ),
  );
  const [open, setOpen] = useState(false);
  const [price, setPrice] = useState('');
  const [priceErr, setPriceErr] = useState<string | null>(null);
  // While a halt covers this advisor the retry would be refused: offer none (the banner says why).
  const halted = useRiskStore((s) => s.status?.you_are_halted === true);
  if (rows.length === 0 || halted) return null;

  const send = async () => {
    if (priced && price.trim() !== '') {
      const err = priceError(price, tickSize);
      setPriceErr(err);
      if (err) return;
    }
    const batch = await submit.submit(toRetryRequest(priced, price));
    if (batch) {
      setOpen(false);
      setPrice('');
      onRetried(batch.batch_id);
    }
  };

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} data-testid="retry-failed">
        Retry failed rows ({rows.length})
      </Button>
      <Modal
        open={open}
        onClose={() => !submit.submitting && setOpen(false)}
        title="Retry failed rows"
        testId="retry-dialog"
      >
        <p className="text-sm">
          These rows go again as a new batch, with the same terms and quantities. Rows whose outcome is still
          unknown (failed) are not retried: the broker may have them.
        </p>
        <ul className="mt-2 max-h-60 space-y-1 overflow-auto text-sm" data-testid="retry-rows">
          {rows.map((r) => (
            <li key={r.order_id ?? r.client_id} className="flex justify-between gap-3">
              <span className="truncate">{r.client_name}</span>
              <span className="tabular-nums">{qty(r.quantity)}</span>
              <span className="truncate text-xs text-slate-500">{reasonText(r.reason)}</span>
            </li>
          ))}
        </ul>
        {priced && (
          <label className="mt-3 block text-sm">
            New price (optional)
            <input
              className={inputClass}
              inputMode="decimal"
              value={price}
              onChange={(e) => setPrice(e.target.value)}
              placeholder={`same price · tick ${tickSize}`}
              data-testid="retry-price"
            />
            <FieldError message={priceErr ?? undefined} />
          </label>
        )}
        {submit.error && (
          <div className="mt-3">
            <ErrorAlert testId="retry-error" error={errorText(submit.error)} />
          </div>
        )}
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)} disabled={submit.submitting}>
            Cancel
          </Button>
          <Button onClick={send} disabled={submit.submitting} data-testid="retry-confirm">
            {submit.submitting ? 'Sending…' : `Retry ${rows.length} rows`}
          </Button>
        </div>
      </Modal>
    </>
  );
}
