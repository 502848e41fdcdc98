'use client';

import type { BatchRow, Holder } from '@/lib/api-types';
import { sumStrings } from '@/lib/decimal';
import { CLOSES_LABEL, TRADE_TYPE_LABEL } from '@/lib/orders';
import { livePnl } from '@/lib/positions';
import { money, qty } from '@/lib/format';

import { Checkbox, Pnl, StatusBadge } from '../ui';

interface ExitHolderRowProps {
  client: { client_id: number; client_name: string };
  /** The client's positions (and demat holdings) in the token, one per trade type. */
  own: readonly Holder[];
  /** The exit batch's rows of this client, once the exit is sent. */
  rows: readonly BatchRow[];
  ltp: string | undefined;
  selectable: boolean;
  checked: boolean;
  executing: boolean;
  readError: string | undefined;
  onToggle: (on: boolean) => void;
}

/** One client on the exit page: what it holds in the token, live P&L, and once sent, what its exit rows did. */
export function ExitHolderRow({ client: c, own, rows, ltp, selectable, checked, executing, readError, onToggle }: ExitHolderRowProps) {
  const pnls = own.map((h) => livePnl(h, ltp));
  const unrealised = pnls.every((x) => x !== null) ? sumStrings(pnls as string[]) : null;
  const realisedParts = own.map((h) => h.realised_pnl);
  const realised = own.length && realisedParts.every((x) => x !== null) ? sumStrings(realisedParts as string[]) : null;
  return (
    <li
      data-testid="exit-row"
      data-client-id={c.client_id}
      className="grid grid-cols-[2.75rem_minmax(0,1fr)_minmax(0,1fr)] gap-x-3 gap-y-1 px-2 py-3 md:grid-cols-[2.75rem_minmax(0,2fr)_minmax(0,1.3fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)] md:items-center"
    >
      <div className="row-span-3 md:row-span-1">
        {selectable && (
          <Checkbox label={`Exit ${c.client_name}`} testId="exit-row-check" checked={checked} onChange={onToggle} />
        )}
      </div>
      <div className="col-span-2 min-w-0 font-medium md:col-span-1">
        <span className="block truncate">{c.client_name}</span>
      </div>
      <div className="text-sm md:text-right" data-testid="exit-row-position" data-quantity={own.reduce((s, h) => s + h.net_quantity, 0)}>
        {own.length === 0 && readError ? (
          <span className="text-amber-800" data-testid="exit-row-error">
            unavailable: {readError}
          </span>
        ) : own.length === 0 ? (
          '0'
        ) : (
          own.map((h) => (
            <span key={h.trade_type ?? ''} className="block tabular-nums">
              {qty(h.net_quantity)}{' '}
              <span className="text-xs text-slate-500">{h.trade_type ? TRADE_TYPE_LABEL[h.trade_type] : ''}</span>
              {h.held_quantity > 0 && (
                <span className="block text-xs text-slate-500" data-testid="exit-row-held">
                  {h.held_quantity === h.net_quantity ? 'demat holding' : `incl. ${qty(h.held_quantity)} in demat`}
                </span>
              )}
              <span className="block text-xs text-slate-500">avg {money(h.average_price)}</span>
            </span>
          ))
        )}
      </div>
      <div className="text-right text-sm">
        <span className="text-xs text-slate-500 md:hidden">Unrealised </span>
        <Pnl value={unrealised} />
      </div>
      <div className="col-start-2 text-sm md:col-start-auto md:text-right">
        <span className="text-xs text-slate-500 md:hidden">Realised </span>
        {realised ? <Pnl value={realised} /> : '—'}
      </div>
      <div className="min-w-0 text-sm">
        {executing &&
          (rows.length === 0 ? (
            <span className="text-slate-500" data-testid="exit-row-status" data-status="NOT_SENT">
              not selected
            </span>
          ) : (
            rows.map((r) => (
              <div key={`${r.order_id}-${r.trade_type}`}>
                <StatusBadge status={r.status} testId="exit-row-status" />{' '}
                <span className="tabular-nums text-slate-600">
                  {qty(r.filled_quantity)}/{qty(r.quantity)}
                </span>
                {r.closes && (
                  <span className="block text-xs text-slate-500" data-testid="exit-row-closes">
                    {CLOSES_LABEL[r.closes]}
                  </span>
                )}
                {r.reason && <span className="block text-xs break-words text-red-700">{r.reason}</span>}
              </div>
            ))
          ))}
      </div>
    </li>
  );
}
