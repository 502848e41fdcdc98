'use client';

import type { OrderLeg } from '@/lib/api-types';
import { money, qty, time } from '@/lib/format';

import { StatusBadge } from './ui';
import { reasonText } from '@/lib/errors';

/**
 * The broker orders a row above its instrument's freeze quantity was sent as: one line per leg
 * (quantity, status, fills, broker order id, reason), folded away under a summary so the row stays
 * one line in the book. Nothing is shown for an order sent whole.
 */
export function OrderLegs({ legs, testId = 'order-legs' }: { legs: readonly OrderLeg[]; testId?: string }) {
  if (legs.length === 0) return null;
  const working = legs.filter((l) => l.status === 'OPEN' || l.status === 'PARTIALLY_FILLED').length;
  const failed = legs.filter((l) => l.status === 'REJECTED' || l.status === 'CANCELLED' || l.status === 'DENIED').length;
  return (
    <details className="mt-1 text-xs" data-testid={testId}>
      <summary className="inline-flex min-h-11 cursor-pointer items-center text-slate-600 underline-offset-2 hover:underline md:min-h-0">
        Sent as {legs.length} orders (freeze quantity)
        {working > 0 && ` · ${working} working`}
        {failed > 0 && ` · ${failed} not filled`}
      </summary>
      <ol className="mt-1 space-y-1 border-l border-slate-200 pl-2">
        {legs.map((l) => (
          <li key={l.leg_no} data-testid={`${testId}-leg`} data-status={l.status} className="tabular-nums">
            <span className="font-medium">#{l.leg_no}</span> {qty(l.filled_quantity)}/{qty(l.quantity)}{' '}
            <StatusBadge status={l.status} />
            {l.average_price && <span className="text-slate-500"> avg {money(l.average_price)}</span>}
            <span className="block text-slate-500">
              {l.broker_order_id ? `broker #${l.broker_order_id}` : 'not at the broker yet'}
              {l.sent_at && ` · sent ${time(l.sent_at)}`}
            </span>
            {l.reason && <span className="block break-words text-red-700">{reasonText(l.reason)}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}
