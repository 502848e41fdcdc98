'use client';

import { batchTotals, type BatchView } from '@/stores/batches';

import { qty } from '@/lib/format';

import { ProgressBar } from './ui';

/** Progress bar and totals of a batch: how many rows have an outcome, and which. */
export function BatchProgressSummary({ view, testId = 'batch-progress' }: { view: BatchView | undefined; testId?: string }) {
  const t = batchTotals(view);
  const done = view?.status === 'COMPLETED' || (t.total > 0 && t.closed === t.total);
  const parts: Array<[string, number, string]> = [
    ['filled', t.filled, 'text-emerald-700'],
    ['open', t.open, 'text-sky-700'],
    ['rejected', t.rejected, 'text-red-700'],
    ['failed', t.failed, 'text-amber-800'],
    ['cancelled', t.cancelled, 'text-slate-600'],
    ['skipped', t.skipped, 'text-slate-600'],
    ['pending', t.pending, 'text-slate-600'],
  ];
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
      <ProgressBar value={t.resolved} max={t.total} />
      <p className="flex flex-wrap gap-x-3 text-xs">
        {parts
          .filter(([, n]) => n > 0)
          .map(([label, n, tone]) => (
            <span key={label} className={tone} data-testid={`${testId}-${label}`}>
              {n} {label}
            </span>
          ))}
      </p>
    </div>
  );
}
