'use client';

import type { BatchRowStatus } from '@/lib/api-types';
import { qty } from '@/lib/format';
import { STATUS_LABEL } from '@/lib/orders';
import { batchTotals, type BatchView } from '@/stores/batches';

import { ProgressBar, type ProgressPart } from './ui';

/**
 * Each outcome's colour in the bar and in the counts beneath it, in the order shown. The words are the row badges'
 * (STATUS_LABEL), so "1 Denied" under the bar matches the "Denied" badge on the row.
 */
const OUTCOMES: ReadonlyArray<{ status: BatchRowStatus; bar: string; text: string }> = [
  { status: 'FILLED', bar: 'bg-emerald-600', text: 'text-emerald-700' },
  { status: 'PARTIALLY_FILLED', bar: 'bg-sky-500', text: 'text-sky-700' },
  { status: 'OPEN', bar: 'bg-sky-300', text: 'text-sky-700' },
  { status: 'DENIED', bar: 'bg-red-600', text: 'text-red-700' },
  { status: 'REJECTED', bar: 'bg-red-600', text: 'text-red-700' },
  { status: 'FAILED', bar: 'bg-amber-500', text: 'text-amber-800' },
  { status: 'CANCELLED', bar: 'bg-slate-400', text: 'text-slate-600' },
  { status: 'SKIPPED', bar: 'bg-slate-300', text: 'text-slate-600' },
  { status: 'PENDING', bar: 'bg-transparent', text: 'text-slate-600' },
];

/** Progress bar and totals of a batch: how many rows have an outcome, and which, each in its own colour. */
export function BatchProgressSummary({ view, testId = 'batch-progress' }: { view: BatchView | undefined; testId?: string }) {
  const t = batchTotals(view);
  const done = view?.status === 'COMPLETED' || (t.total > 0 && t.closed === t.total);
  const parts: ProgressPart[] = OUTCOMES.map(({ status, bar }) => ({
    key: status,
    value: t.byStatus[status],
    colour: bar,
    label: STATUS_LABEL[status],
  }));
  return (
    <div
      data-testid={testId}
      data-total={t.total}
      data-resolved={t.resolved}
      data-closed={t.closed}
      data-complete={done ? 'true' : 'false'}
      className="min-w-0 flex-1 space-y-1.5"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-medium" aria-live="polite">
          {view == null
            ? 'Starting…'
            : done
              ? `Done: ${t.resolved} of ${t.total} rows`
              : `Executing: ${t.resolved} of ${t.total} rows answered`}
        </span>
        <span className="text-xs text-slate-500">filled qty {qty(t.filledQuantity)}</span>
      </div>
      <ProgressBar value={t.resolved} max={t.total} parts={parts} testId={`${testId}-bar`} />
      <p className="flex flex-wrap gap-x-3 text-xs">
        {OUTCOMES.filter(({ status }) => t.byStatus[status] > 0).map(({ status, text }) => (
          <span key={status} className={`whitespace-nowrap ${text}`} data-testid={`${testId}-${status.toLowerCase()}`}>
            {t.byStatus[status]} {STATUS_LABEL[status]}
          </span>
        ))}
      </p>
    </div>
  );
}
