'use client';

import Link from 'next/link';

import type { Order } from '@/lib/api-types';
import { sideLabel, TRADE_TYPE_LABEL } from '@/lib/orders';
import { money, qty, time } from '@/lib/format';

import { OrderActions } from './OrderActions';
import { OrderLegs } from './OrderLegs';
import { StatusBadge } from './ui';

const COLS = 'md:grid-cols-[minmax(0,1.3fr)_minmax(0,1.5fr)_minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,1.2fr)_minmax(0,1.5fr)]';

/** Orders as rows (desktop) or cards (phone), with live status and, for open ones, cancel/modify. */
export function OrderList({
  orders,
  showClient = true,
  canAct,
  onChanged,
  testId = 'order-list',
}: {
  orders: readonly Order[];
  showClient?: boolean;
  canAct: boolean;
  onChanged: (order: Order) => void;
  testId?: string;
}) {
  return (
    <div data-testid={testId}>
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${COLS}`}>
        <span>Time</span>
        <span>{showClient ? 'Client' : 'Order'}</span>
        <span>Instrument</span>
        <span className="text-right">Qty</span>
        <span className="text-right">Price</span>
        <span>Status</span>
      </div>
      <ul className="divide-y divide-slate-100">
        {orders.map((o) => (
          <li
            key={o.id}
            data-testid={`${testId}-row`}
            data-order-id={o.id}
            data-status={o.status}
            className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-3 text-sm ${COLS} md:items-start`}
          >
            <span className="text-xs text-slate-500 md:text-sm md:text-slate-700">{time(o.created_at)}</span>
            <span className="min-w-0 text-right md:text-left">
              {showClient ? (
                <Link href={`/clients/${o.client_id}`} className="inline-flex min-h-11 items-center truncate font-medium underline-offset-2 hover:underline">
                  {o.client_name}
                </Link>
              ) : (
                <span className="text-slate-500">#{o.id}</span>
              )}
            </span>
            <span className="min-w-0">
              <span className={o.side === 'BUY' ? 'font-semibold text-emerald-700' : 'font-semibold text-red-700'}>
                {sideLabel(o.execution, o.side)}
              </span>{' '}
              <span className="font-medium">{o.symbol}</span>
              <span className="block text-xs text-slate-500">
                {o.order_type} · {TRADE_TYPE_LABEL[o.trade_type]}
              </span>
            </span>
            <span className="text-right tabular-nums">
              {qty(o.filled_quantity)}/{qty(o.quantity)}
            </span>
            <span className="tabular-nums md:text-right">
              {o.price ? money(o.price) : 'MKT'}
              {o.trigger_price && <span className="block text-xs text-slate-500">trg {money(o.trigger_price)}</span>}
              {o.average_price && <span className="block text-xs text-slate-500">avg {money(o.average_price)}</span>}
            </span>
            <span className="col-span-2 min-w-0 md:col-span-1">
              <StatusBadge status={o.status} testId={`${testId}-status`} />
              {o.reason && <span className="mt-0.5 block text-xs break-words text-red-700">{o.reason}</span>}
              {o.broker_note && <span className="mt-0.5 block text-xs break-words text-slate-500">{o.broker_note}</span>}
              <OrderLegs legs={o.legs} testId={`${testId}-legs`} />
              {canAct && (
                <span className="mt-1 block">
                  <OrderActions order={o} onChanged={onChanged} />
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
