'use client';

import Link from 'next/link';
import { Fragment } from 'react';

import type { Order } from '@/lib/api-types';
import { bookTime } from '@/lib/dates';
import { reasonText } from '@/lib/errors';
import { money, qty, time } from '@/lib/format';
import { cancellableIds, groupByBatch, groupSummary, orderSide, type OrderGroup } from '@/lib/order-book';
import { isOpen, TRADE_TYPE_LABEL } from '@/lib/orders';

import { OrderActions } from './OrderActions';
import { OrderLegs } from './OrderLegs';
import { Checkbox, StatusBadge } from './ui';

/** Choosing orders to cancel together; absent: no checkboxes. */
export interface OrderSelection {
  selected: ReadonlySet<number>;
  onToggle: (ids: readonly number[], on: boolean) => void;
}

// Written out in full: Tailwind finds class names by reading the source.
/** With checkboxes: a 44 px column in front on a desktop, beside the card on the phone. */
const SELECT_LAYOUT = {
  desktop: 'md:grid-cols-[2.75rem_6.5rem_minmax(0,1.2fr)_minmax(0,2fr)_minmax(0,0.7fr)_minmax(0,1fr)_minmax(0,1.2fr)_auto]',
  phone: 'grid-cols-[auto_minmax(0,1fr)_auto]',
};
const PLAIN_LAYOUT = {
  desktop: 'md:grid-cols-[6.5rem_minmax(0,1.2fr)_minmax(0,2fr)_minmax(0,0.7fr)_minmax(0,1fr)_minmax(0,1.2fr)_auto]',
  phone: 'grid-cols-[minmax(0,1fr)_auto]',
};
type Layout = typeof PLAIN_LAYOUT;

/**
 * Orders as compact one-line rows (desktop) or cards (phone): the time alone for today's orders
 * (the date for older ones, the full time in the tooltip), live status, and for open ones cancel /
 * modify. With `grouped`, a batch's orders sit together under one line that says how it went; with
 * `selection`, open orders get checkboxes (a batch's header selects all its open ones).
 */
export function OrderList({
  orders,
  showClient = true,
  canAct,
  onChanged,
  testId = 'order-list',
  grouped = false,
  selection,
  now = new Date(),
}: {
  orders: readonly Order[];
  showClient?: boolean;
  canAct: boolean;
  onChanged: (order: Order) => void;
  testId?: string;
  grouped?: boolean;
  selection?: OrderSelection;
  /** "Today" for the time column (tests pass a fixed one). */
  now?: Date;
}) {
  const layout = selection ? SELECT_LAYOUT : PLAIN_LAYOUT;
  const groups: OrderGroup[] = grouped ? groupByBatch(orders) : orders.map((o) => ({ batchId: null, orders: [o] }));
  return (
    <div data-testid={testId}>
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${layout.desktop}`}>
        {selection && (
          <span>
            <span className="sr-only">Select</span>
          </span>
        )}
        <span>Time</span>
        <span>{showClient ? 'Client' : 'Order'}</span>
        <span>Instrument</span>
        <span className="text-right">Qty</span>
        <span className="text-right">Price</span>
        <span>Status</span>
        <span>
          <span className="sr-only">Actions</span>
        </span>
      </div>
      <ul className="divide-y divide-slate-100">
        {groups.map((g) => (
          <Fragment key={g.batchId === null ? `o${g.orders[0]!.id}` : `b${g.batchId}`}>
            {g.batchId !== null && <BatchHeader group={g} selection={selection} testId={testId} />}
            {g.orders.map((o) => (
              <OrderRow
                key={o.id}
                order={o}
                inBatch={g.batchId !== null}
                showClient={showClient}
                canAct={canAct}
                onChanged={onChanged}
                selection={selection}
                layout={layout}
                testId={testId}
                now={now}
              />
            ))}
          </Fragment>
        ))}
      </ul>
    </div>
  );
}

function BatchHeader({ group, selection, testId }: { group: OrderGroup; selection?: OrderSelection; testId: string }) {
  const open = cancellableIds(group.orders);
  const allChosen = open.length > 0 && open.every((id) => selection?.selected.has(id));
  const first = group.orders[0]!;
  return (
    <li
      data-testid={`${testId}-batch`}
      data-batch-id={group.batchId ?? undefined}
      className="flex items-center gap-2 bg-slate-50 px-2 py-0.5 text-xs text-slate-600"
    >
      {selection && (
        <Checkbox
          label={`Select the open orders of batch #${group.batchId}`}
          testId={`${testId}-batch-select`}
          checked={allChosen}
          disabled={open.length === 0}
          onChange={(on) => selection.onToggle(open, on)}
        />
      )}
      <span className="min-w-0 md:truncate">
        <span className="font-semibold text-slate-800">Batch #{group.batchId}</span> · {orderSide(first)} {first.symbol} ·{' '}
        {groupSummary(group.orders)}
      </span>
    </li>
  );
}

function OrderRow({
  order: o,
  inBatch,
  showClient,
  canAct,
  onChanged,
  selection,
  layout,
  testId,
  now,
}: {
  order: Order;
  inBatch: boolean;
  showClient: boolean;
  canAct: boolean;
  onChanged: (order: Order) => void;
  selection?: OrderSelection;
  layout: Layout;
  testId: string;
  now: Date;
}) {
  const selectable = selection !== undefined && canAct && isOpen(o.status);
  return (
    <li
      data-testid={`${testId}-row`}
      data-order-id={o.id}
      data-status={o.status}
      data-batch-id={o.batch_id ?? undefined}
      className={`grid ${layout.phone} items-center gap-x-3 gap-y-0.5 px-2 py-1.5 text-sm md:min-h-9 md:py-0.5 ${layout.desktop} ${
        inBatch ? 'md:border-l-2 md:border-l-slate-200' : ''
      }`}
    >
      {selection && (
        // On a desktop the 44 px checkbox overlaps the row's edges rather than making the row 44 px high.
        <span className="row-span-4 md:row-span-1 md:-my-2">
          {selectable ? (
            <Checkbox
              label={`Select order #${o.id}`}
              testId={`${testId}-select`}
              checked={selection.selected.has(o.id)}
              onChange={(on) => selection.onToggle([o.id], on)}
            />
          ) : (
            <span className="inline-block w-11" aria-hidden />
          )}
        </span>
      )}
      <span
        data-testid={`${testId}-time`}
        title={time(o.created_at)}
        className="text-xs whitespace-nowrap text-slate-500 tabular-nums md:text-sm md:text-slate-700"
      >
        {bookTime(o.created_at, now)}
      </span>
      <span className="min-w-0 truncate text-right md:text-left">
        {showClient ? (
          <Link href={`/clients/${o.client_id}`} className="inline-flex min-h-11 items-center font-medium underline-offset-2 hover:underline md:min-h-0">
            {o.client_name}
          </Link>
        ) : (
          <span className="text-slate-500">#{o.id}</span>
        )}
      </span>
      <span className="col-span-2 min-w-0 truncate md:col-span-1">
        <span className={o.side === 'BUY' ? 'font-semibold text-emerald-700' : 'font-semibold text-red-700'}>
          {orderSide(o)}
        </span>{' '}
        <span className="font-medium">{o.symbol}</span>{' '}
        <span className="text-xs text-slate-500">
          {o.order_type} · {TRADE_TYPE_LABEL[o.trade_type]}
        </span>
      </span>
      <span className="whitespace-nowrap tabular-nums md:text-right">
        {qty(o.filled_quantity)}/{qty(o.quantity)}
      </span>
      <span className="text-right whitespace-nowrap tabular-nums" title={priceTitle(o)}>
        {o.price ? money(o.price) : 'MKT'}
        {o.trigger_price && <span className="text-xs text-slate-500"> trg {money(o.trigger_price)}</span>}
        {o.average_price && <span className="text-xs text-slate-500"> avg {money(o.average_price)}</span>}
      </span>
      <span className="min-w-0">
        <StatusBadge status={o.status} testId={`${testId}-status`} />
        {o.reason && (
          <span className="ml-1 text-xs break-words text-red-700 md:block md:truncate" title={reasonText(o.reason)}>
            {reasonText(o.reason)}
          </span>
        )}
        {o.broker_note && (
          <span className="ml-1 text-xs break-words text-slate-500 md:block md:truncate" title={o.broker_note}>
            {o.broker_note}
          </span>
        )}
        <OrderLegs legs={o.legs} testId={`${testId}-legs`} />
      </span>
      <span className="flex justify-end">
        {canAct && <OrderActions order={o} onChanged={onChanged} />}
      </span>
    </li>
  );
}

function priceTitle(o: Order): string | undefined {
  const parts = [o.trigger_price && `trigger ${money(o.trigger_price)}`, o.average_price && `average ${money(o.average_price)}`];
  const text = parts.filter(Boolean).join(', ');
  return text || undefined;
}
