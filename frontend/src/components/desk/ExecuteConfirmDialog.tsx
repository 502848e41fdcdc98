'use client';

import { useEffect } from 'react';

import type { ExecuteBody } from '@/lib/allocation';
import { ApiError } from '@/lib/api';
import type { Client, Instrument } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { isUncertainFailure } from '@/lib/idempotency';
import type { Summary } from '@/lib/order-summary';
import { sendingCount } from '@/lib/preview';
import type { TicketWarning } from '@/lib/ticket-checks';
import type { OrderFormValues } from '@/lib/validation';
import { usePreview } from '@/hooks/usePreview';

import { ConfirmSummary, OrderTerms } from './ConfirmSummary';
import { PreviewConfirm } from './PreviewConfirm';
import { Button, ErrorAlert, Loading, Modal } from '../ui';

export interface PendingOrder {
  values: OrderFormValues;
  summary: Summary;
  /** Sent to /orders/preview now and to /orders/execute-all on Confirm: the same object. */
  body: ExecuteBody;
  /** Sized orders (a group, ticked clients): without the server's preview there is nothing to confirm. */
  needsPreview: boolean;
  /** The ticket's warnings (a limit far from the last price…), repeated where the advisor confirms. */
  warnings: readonly TicketWarning[];
}

/**
 * The step before Execute All: the server's preview of exactly the body Confirm sends (quantities,
 * value, margin, charges, risk verdicts, warnings). Per-client orders fall back to the desk's own
 * summary if the preview fails, so a preview outage does not stop trading typed quantities. A refused
 * preview goes to `onPreviewRefused` first: the desk shows one about the allocation beside the picker's
 * field (and closes this dialog); anything else is shown here. A halt the preview reports blocks Confirm.
 */
export function ExecuteConfirmDialog({
  pending,
  instrument,
  ltp,
  clients,
  submitting,
  error,
  halted,
  onCancel,
  onConfirm,
  onPreviewRefused,
}: {
  pending: PendingOrder | null;
  instrument: Instrument | null;
  ltp: string | undefined;
  clients: readonly Client[];
  submitting: boolean;
  error: ApiError | null;
  /** A halt covers the advisor: Confirm cannot succeed, so it is not offered as "Retry". */
  halted: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  onPreviewRefused: (err: Error) => void;
}) {
  const preview = usePreview(pending?.body ?? null);
  const refusal = preview.error;
  useEffect(() => {
    if (refusal) onPreviewRefused(refusal);
    // Once per refusal: the handler is a new function every render of the desk.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refusal]);
  const haltedNow = halted || error?.code === 'TRADING_HALTED';
  const blocked =
    haltedNow ||
    preview.loading ||
    (pending?.needsPreview === true && !preview.data) ||
    (preview.data !== null && (sendingCount(preview.data) === 0 || preview.data.totals.halted > 0));
  return (
    <Modal open={pending !== null} onClose={() => !submitting && onCancel()} title="Confirm orders" testId="confirm-dialog">
      {pending && instrument && (
        <div className="space-y-3">
          <OrderTerms instrument={instrument} values={pending.values} />
          {pending.warnings.length > 0 && (
            <ul role="status" className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-xs text-amber-900" data-testid="confirm-ticket-warnings">
              {pending.warnings.map((w) => (
                <li key={`${w.field}-${w.code}`}>{w.message}</li>
              ))}
            </ul>
          )}
          {preview.loading && <Loading>Computing the preview…</Loading>}
          {preview.data && <PreviewConfirm preview={preview.data} />}
          {preview.error && (
            <ErrorAlert
              testId="preview-error"
              error={`Preview: ${preview.error instanceof ApiError ? errorText(preview.error) : preview.error.message}`}
              onRetry={preview.reload}
            />
          )}
          {preview.error && !pending.needsPreview && (
            <ConfirmSummary
              instrument={instrument}
              values={pending.values}
              summary={pending.summary}
              ltp={ltp}
              clients={clients}
              showTerms={false}
            />
          )}
        </div>
      )}
      {error && (
        <div className="mt-3">
          <ErrorAlert
            testId="execute-error"
            error={
              isUncertainFailure(error)
                ? `${error.message} The orders may or may not have been placed: “Retry” sends the same request with the same idempotency key, so it cannot place them twice.`
                : errorText(error)
            }
          />
        </div>
      )}
      <div className="mt-4 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button
          variant={pending?.values.execution === 'SELL' ? 'sell' : 'buy'}
          onClick={onConfirm}
          disabled={submitting || blocked}
          data-testid="confirm-execute"
        >
          {submitting ? 'Sending…' : haltedNow ? 'Trading halted' : error ? 'Retry' : 'Confirm'}
        </Button>
      </div>
    </Modal>
  );
}
