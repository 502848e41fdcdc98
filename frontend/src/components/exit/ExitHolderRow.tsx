'use client';

import { reasonText } from '@/lib/errors';
import type { BatchRow, Holder } from '@/lib/api-types';
import { sumStrings } from '@/lib/decimal';
import { exitResult } from '@/lib/exit-results';
import { CLOSES_LABEL, TRADE_TYPE_LABEL } from '@/lib/orders';
import { livePnl } from '@/lib/positions';
import { money, qty } from '@/lib/format';

import type { GridColumn } from '../desk/ClientGrid';
import { Checkbox, Pnl, StatusBadge } from '../ui';

/** A client listed on the exit page (everyone who held the token since the page opened). */
export interface ExitClient {
  client_id: number;
  client_name: string;
}

export interface ExitRowContext {
  /** The client's positions (and demat holdings) in the token, one per trade type. */
  own: (clientId: number) => readonly Holder[];
  /** The exit batch's rows of this client, once the exit is sent. */
  rows: (clientId: number) => readonly BatchRow[];
  ltp: string | undefined;
  selectable: (clientId: number) => boolean;
  checked: (clientId: number) => boolean;
  executing: boolean;
  readError: (clientId: number) => string | undefined;
  onToggle: (clientId: number, on: boolean) => void;
}

const unrealisedOf = (own: readonly Holder[], ltp: string | undefined) => {
  const pnls = own.map((h) => livePnl(h, ltp));
  return pnls.every((x) => x !== null) ? sumStrings(pnls as string[]) : null;
};

const realisedOf = (own: readonly Holder[]) => {
  const parts = own.map((h) => h.realised_pnl);
  return own.length && parts.every((x) => x !== null) ? sumStrings(parts as string[]) : null;
};

/** The exit page's columns of the shared client grid: pick, client, position, P&L, and once sent, the result. */
export function exitColumns(ctx: ExitRowContext): GridColumn<ExitClient>[] {
  return [
    {
      id: 'client',
      header: 'Client',
      track: 'minmax(0,2fr)',
      phoneWide: true,
      sortValue: (c) => c.client_name,
      cell: (c) => (
        <span className="flex min-w-0 items-center gap-1">
          {ctx.selectable(c.client_id) ? (
            <Checkbox
              label={`Exit ${c.client_name}`}
              testId="exit-row-check"
              checked={ctx.checked(c.client_id)}
              onChange={(on) => ctx.onToggle(c.client_id, on)}
            />
          ) : null}
          <span className="block truncate font-medium">{c.client_name}</span>
        </span>
      ),
    },
    {
      id: 'position',
      header: 'Position',
      track: 'minmax(0,1.3fr)',
      align: 'right',
      phoneLabel: 'Position',
      sortValue: (c) => ctx.own(c.client_id).reduce((s, h) => s + h.net_quantity, 0),
      cell: (c) => <PositionCell own={ctx.own(c.client_id)} readError={ctx.readError(c.client_id)} />,
    },
    {
      id: 'unrealised',
      header: 'Unrealised',
      track: 'minmax(0,1fr)',
      align: 'right',
      phoneLabel: 'Unrealised',
      sortValue: (c) => unrealisedOf(ctx.own(c.client_id), ctx.ltp),
      cell: (c) => <Pnl value={unrealisedOf(ctx.own(c.client_id), ctx.ltp)} />,
    },
    {
      id: 'realised',
      header: 'Realised',
      track: 'minmax(0,1fr)',
      align: 'right',
      phoneLabel: 'Realised',
      sortValue: (c) => realisedOf(ctx.own(c.client_id)),
      cell: (c) => {
        const realised = realisedOf(ctx.own(c.client_id));
        return realised ? <Pnl value={realised} /> : '—';
      },
    },
    {
      id: 'status',
      header: ctx.executing ? 'Exit result' : '',
      track: 'minmax(0,1.8fr)',
      phoneWide: true,
      cell: (c) => (ctx.executing ? <ResultCell rows={ctx.rows(c.client_id)} /> : null),
    },
  ];
}

export const exitRowAttrs = (c: ExitClient) => ({ 'client-id': c.client_id });

function PositionCell({ own, readError }: { own: readonly Holder[]; readError: string | undefined }) {
  return (
    <span data-testid="exit-row-position" data-quantity={own.reduce((s, h) => s + h.net_quantity, 0)}>
      {own.length === 0 && readError ? (
        <span className="text-amber-800" data-testid="exit-row-error">
          unavailable: {readError}
        </span>
      ) : own.length === 0 ? (
        '0'
      ) : (
        own.map((h) => (
          <span key={h.trade_type ?? ''} className="block tabular-nums">
            {qty(h.net_quantity)} <span className="text-xs text-slate-500">{h.trade_type ? TRADE_TYPE_LABEL[h.trade_type] : ''}</span>
            {h.held_quantity > 0 && (
              <span className="block text-xs text-slate-500" data-testid="exit-row-held">
                {h.held_quantity === h.net_quantity ? 'demat holding' : `incl. ${qty(h.held_quantity)} in demat`}
              </span>
            )}
            <span className="block text-xs text-slate-500">avg {money(h.average_price)}</span>
          </span>
        ))
      )}
    </span>
  );
}

/** The client's exit rows once sent, then its average exit price and realised P&L (defect 4). */
export function ResultCell({ rows }: { rows: readonly BatchRow[] }) {
  if (rows.length === 0) {
    return (
      <span className="text-slate-500" data-testid="exit-row-status" data-status="NOT_SENT">
        not selected
      </span>
    );
  }
  const result = exitResult(rows);
  return (
    <div>
      {rows.map((r) => (
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
          {r.reason && <span className="block text-xs break-words text-red-700">{reasonText(r.reason)}</span>}
        </div>
      ))}
      {result.averageExitPrice && (
        <div className="text-xs text-slate-600" data-testid="exit-row-result">
          exited at <span className="tabular-nums" data-testid="exit-row-avg">{money(result.averageExitPrice)}</span>
          {result.realisedPnl !== null && (
            <>
              {' · realised '}
              <span data-testid="exit-row-realised" data-value={result.realisedPnl}>
                <Pnl value={result.realisedPnl} />
              </span>
            </>
          )}
        </div>
      )}
    </div>
  );
}
