'use client';

import Link from 'next/link';

import type { Holding, Position, SegmentFunds } from '@/lib/api-types';
import { TRADE_TYPE_LABEL } from '@/lib/orders';
import { livePnl } from '@/lib/positions';
import { money, qty } from '@/lib/format';

import { buttonClass, Pnl } from './ui';

/**
 * A client's portfolio tables: positions (with a chart toggle each; a closed one shows what it realised, not an
 * average of zero), demat holdings, margin by segment.
 */
export function Positions({
  positions,
  ltps,
  chartToken,
  onChart,
}: {
  positions: readonly Position[];
  ltps: (tokenId: number) => string | undefined;
  /** The token whose chart is open, and the toggle of a row's chart. */
  chartToken?: number | null;
  onChart?: (tokenId: number | null) => void;
}) {
  const cols = 'md:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)_minmax(0,1.1fr)_minmax(0,1.1fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_auto]';
  return (
    <div data-testid="positions">
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${cols}`}>
        <span>Instrument</span>
        <span className="text-right">Net qty</span>
        <span className="text-right">Avg price</span>
        <span className="text-right">LTP</span>
        <span className="text-right">Unrealised</span>
        <span className="text-right">Realised</span>
        <span />
      </div>
      <ul className="divide-y divide-slate-100">
        {positions.map((p) => {
          const ltp = ltps(p.token_id) ?? p.last_price ?? undefined;
          const closed = p.net_quantity === 0;
          return (
            <li
              key={`${p.token_id}-${p.trade_type}`}
              data-testid="position-row"
              data-closed={closed}
              className={`grid grid-cols-2 gap-x-3 gap-y-0.5 px-2 py-2 text-sm md:py-1 ${cols} md:items-center ${
                closed ? 'text-slate-500' : ''
              }`}
            >
              <span className="min-w-0">
                <span className="font-medium text-slate-900">{p.symbol}</span>
                <span className="ml-2 text-xs text-slate-500 md:ml-0 md:block">
                  {TRADE_TYPE_LABEL[p.trade_type as keyof typeof TRADE_TYPE_LABEL] ?? p.trade_type}
                </span>
              </span>
              <span className="text-right tabular-nums" data-testid="position-qty">
                {closed ? 'Closed' : qty(p.net_quantity)}
              </span>
              {closed ? (
                // A closed position has no average or open P&L: what it made is its realised P&L.
                <span className="hidden md:col-span-3 md:block md:text-right" aria-hidden>
                  —
                </span>
              ) : (
                <>
                  <span className="tabular-nums md:text-right">
                    <span className="text-xs text-slate-500 md:hidden">Avg </span>
                    {money(p.average_price)}
                  </span>
                  <span className="text-right tabular-nums">
                    <span className="text-xs text-slate-500 md:hidden">LTP </span>
                    {money(ltp)}
                  </span>
                  <span className="md:text-right">
                    <span className="text-xs text-slate-500 md:hidden">Unrealised </span>
                    <Pnl value={livePnl(p, ltp)} testId="position-unrealised" />
                  </span>
                </>
              )}
              <span className={closed ? 'md:text-right' : 'text-right'}>
                <span className="text-xs text-slate-500 md:hidden">Realised </span>
                <Pnl value={p.realised_pnl} testId="position-realised" />
              </span>
              <span className={`flex gap-2 md:col-span-1 md:justify-end ${closed ? 'justify-end' : 'col-span-2'}`}>
                {onChart && (
                  <button
                    type="button"
                    data-testid="position-chart-toggle"
                    aria-pressed={chartToken === p.token_id}
                    onClick={() => onChart(chartToken === p.token_id ? null : p.token_id)}
                    className={buttonClass(chartToken === p.token_id ? 'primary' : 'secondary', 'flex-1 md:min-h-9 md:flex-none')}
                  >
                    Chart
                  </button>
                )}
                {!closed && (
                  <Link href={`/exit/${p.token_id}`} className={buttonClass('secondary', 'flex-1 md:min-h-9 md:flex-none')}>
                    Exit
                  </Link>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const SEGMENT_LABEL: Record<SegmentFunds['segment'], string> = { CASH: 'Cash (equity)', FO: 'F&O' };

export function Segments({ segments }: { segments: readonly SegmentFunds[] }) {
  return (
    <table className="mt-3 w-full text-sm" data-testid="portfolio-segments">
      <thead>
        <tr className="text-xs text-slate-500">
          <th className="py-1 text-left font-medium">Margin by segment</th>
          <th className="py-1 text-right font-medium">Available</th>
          <th className="py-1 text-right font-medium">Used</th>
        </tr>
      </thead>
      <tbody>
        {segments.map((s) => (
          <tr key={s.segment} data-testid="segment-row" data-segment={s.segment} className="border-t border-slate-100">
            <td className="py-1">{SEGMENT_LABEL[s.segment] ?? s.segment}</td>
            <td className="py-1 text-right tabular-nums">{money(s.available)}</td>
            <td className="py-1 text-right tabular-nums">{money(s.used)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Holdings({ holdings, ltps }: { holdings: readonly Holding[]; ltps: (tokenId: number) => string | undefined }) {
  const cols = 'md:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)_minmax(0,1.1fr)_minmax(0,1.1fr)_minmax(0,1.2fr)_auto]';
  return (
    <div data-testid="holdings">
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${cols}`}>
        <span>Instrument</span>
        <span className="text-right">Qty</span>
        <span className="text-right">Avg cost</span>
        <span className="text-right">LTP</span>
        <span className="text-right">P&amp;L</span>
        <span />
      </div>
      <ul className="divide-y divide-slate-100">
        {holdings.map((h) => {
          const ltp = (h.token_id === null ? undefined : ltps(h.token_id)) ?? h.last_price ?? undefined;
          const pnl = livePnl({ net_quantity: h.quantity, average_price: h.average_price, unrealised_pnl: h.unrealised_pnl }, ltp);
          return (
            <li
              key={`${h.token_id ?? h.symbol}`}
              data-testid="holding-row"
              className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-2 text-sm md:py-1 ${cols} md:items-center`}
            >
              <span className="min-w-0">
                <span className="font-medium">{h.symbol}</span>
                {h.exchange && <span className="block text-xs text-slate-500">{h.exchange} · Delivery</span>}
              </span>
              <span className="text-right tabular-nums">{qty(h.quantity)}</span>
              <span className="tabular-nums md:text-right">
                <span className="text-xs text-slate-500 md:hidden">Avg </span>
                {money(h.average_price)}
              </span>
              <span className="text-right tabular-nums">
                <span className="text-xs text-slate-500 md:hidden">LTP </span>
                {money(ltp)}
              </span>
              <span className="md:text-right">
                <span className="text-xs text-slate-500 md:hidden">P&amp;L </span>
                <Pnl value={pnl} testId="holding-pnl" />
              </span>
              <span className="col-span-2 md:col-span-1 md:text-right">
                {h.token_id !== null && (
                  <Link href={`/exit/${h.token_id}`} className={buttonClass('secondary', 'w-full md:min-h-9 md:w-auto')}>
                    Exit
                  </Link>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
