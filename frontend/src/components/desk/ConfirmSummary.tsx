'use client';

import type { Client, Instrument } from '@/lib/api-types';
import { add, dec, mul, toDecimalString } from '@/lib/decimal';
import { estimatePrice, type Summary } from '@/lib/order-summary';
import { needsPrice, needsTrigger, sideLabel, TRADE_TYPE_LABEL } from '@/lib/orders';
import { parseQuantity, type OrderFormValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';
import { marginFlag } from '@/lib/ticket-checks';



/** "BUY RELIANCE · LIMIT · Intraday · price ₹1,420.00": the order's terms, as the dialog heads them. */
export function OrderTerms({ instrument, values }: { instrument: Instrument; values: OrderFormValues }) {
  return (
    <p className="text-sm">
      <strong className={values.execution === 'SELL' ? 'text-red-700' : 'text-emerald-700'}>
        {sideLabel(values.execution, values.execution)}
      </strong>{' '}
      <strong>{instrument.symbol}</strong> · {values.order_type} · {TRADE_TYPE_LABEL[values.trade_type]}
      {needsPrice(values.order_type) && <> · price {money(values.price)}</>}
      {needsTrigger(values.order_type) && <> · trigger {money(values.trigger_price)}</>}
    </p>
  );
}

/** The desk's confirmation when no preview could be had (per-client orders only): the order, its totals (re-added from its lines as a check) and each client's quantity. */
export function ConfirmSummary({
  instrument,
  values,
  summary,
  ltp,
  clients,
  showTerms = true,
}: {
  instrument: Instrument;
  values: OrderFormValues;
  summary: Summary;
  ltp: string | undefined;
  clients: readonly Client[];
  showTerms?: boolean;
}) {
  const lines = values.allocations.filter((a) => parseQuantity(a.quantity) > 0);
  const byId = new Map(clients.map((c) => [c.id, c]));
  const pricedAt = estimatePrice(values.order_type, values.price, ltp);
  let check: string | null = null;
  try {
    check = pricedAt
      ? toDecimalString(lines.reduce((acc, a) => add(acc, mul(dec(pricedAt), dec(parseQuantity(a.quantity)))), dec(0)))
      : null;
  } catch {
    check = null;
  }
  return (
    <div className="space-y-3 text-sm" data-testid="confirm-summary">
      {showTerms && <OrderTerms instrument={instrument} values={values} />}
      <dl className="grid grid-cols-3 gap-2 rounded-lg bg-slate-50 p-3">
        <div>
          <dt className="text-xs text-slate-500">Clients</dt>
          <dd className="font-semibold" data-testid="confirm-clients">
            {summary.clients}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Total quantity</dt>
          <dd className="font-semibold tabular-nums" data-testid="confirm-quantity">
            {qty(summary.quantity)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Est. value</dt>
          <dd className="font-semibold tabular-nums" data-testid="confirm-value">
            {check ? money(check) : '—'}
          </dd>
        </div>
      </dl>
      <p className="text-xs text-slate-500">
        {needsPrice(values.order_type)
          ? 'Estimated at the limit price.'
          : ltp
            ? `Estimated at the last price ${money(ltp)}; market orders fill at the market.`
            : 'No last price yet: the value cannot be estimated.'}
      </p>
      <ul className="max-h-48 divide-y divide-slate-100 overflow-y-auto rounded-lg border border-slate-200" data-testid="confirm-lines">
        {lines.map((a) => {
          const c = byId.get(a.client_id);
          const q = parseQuantity(a.quantity);
          const value = pricedAt ? toDecimalString(mul(dec(pricedAt), dec(q))) : null;
          const available = c?.summary?.margin_available ?? null;
          const over = marginFlag(values.execution, pricedAt, q, available) !== null;
          return (
            <li
              key={a.client_id}
              className={`grid grid-cols-[minmax(0,1fr)_auto] gap-x-3 px-3 py-2 ${over ? 'bg-amber-50' : ''}`}
              data-testid="confirm-line"
              data-over-margin={over || undefined}
            >
              <span className="min-w-0 truncate">{c?.display_name ?? `Client ${a.client_id}`}</span>
              <span className="text-right tabular-nums">{qty(q)}</span>
              <span className="col-span-2 text-xs text-slate-500 tabular-nums">
                value {value ? money(value) : '—'} · margin available {available ? money(available) : '—'}
                {over && <span className="text-amber-800"> · above margin</span>}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
