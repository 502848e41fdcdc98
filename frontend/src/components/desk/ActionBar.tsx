'use client';

import type { ReactNode } from 'react';

import type { BatchView } from '@/stores/batches';

import { BatchProgressSummary } from '../BatchProgressSummary';
import { RetryFailedRows } from './RetryFailedRows';
import { Button } from '../ui';

/**
 * The desk's bar at the bottom of the screen, so the order can be sent from anywhere in a long list:
 * before sending, what would be sent (`summary`), any form error and Execute All; once sent, the
 * batch's progress, then "Retry failed rows" and "New order" when every row has its verdict.
 * While a halt covers the advisor, Execute All is disabled and reads "Trading halted".
 */
export function DeskActionBar({
  batch,
  executing,
  batchDone,
  retryPriced,
  tickSize,
  onRetried,
  onNewOrder,
  summary,
  formError,
  sell,
  halted,
  canExecute,
}: {
  batch: BatchView | undefined;
  executing: boolean;
  batchDone: boolean;
  /** The sent batch was LIMIT or SL: its retry may take a new price. */
  retryPriced: boolean;
  tickSize: string;
  onRetried: (batchId: number) => void;
  onNewOrder: () => void;
  summary: ReactNode;
  formError: string | undefined;
  sell: boolean;
  /** A halt covers this advisor: nothing can be sent, and the button says so. */
  halted: boolean;
  canExecute: boolean;
}) {
  return (
    <div className="sticky bottom-(--tabbar-offset) z-10 -mx-4 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.06)] backdrop-blur sm:mx-0 sm:rounded-xl sm:border">
      {executing ? (
        <div className="flex flex-wrap items-center gap-3">
          <BatchProgressSummary view={batch} />
          {batchDone && <RetryFailedRows view={batch} priced={retryPriced} tickSize={tickSize} onRetried={onRetried} />}
          {batchDone && (
            <Button variant="secondary" onClick={onNewOrder} data-testid="new-order">
              New order
            </Button>
          )}
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <div className="min-w-0 flex-1 text-sm" data-testid="order-summary">
            {summary}
            {formError && (
              <p role="alert" className="text-sm text-red-700" data-testid="order-form-error">
                {formError}
              </p>
            )}
          </div>
          <Button
            type="submit"
            variant={sell ? 'sell' : 'buy'}
            disabled={!canExecute || halted}
            data-testid="execute-all"
            data-halted={halted || undefined}
            className="w-full sm:w-auto"
          >
            {halted ? 'Trading halted' : 'Execute All Orders'}
          </Button>
        </div>
      )}
    </div>
  );
}
