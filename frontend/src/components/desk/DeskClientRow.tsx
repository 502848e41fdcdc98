'use client';

import type { UseFormRegisterReturn } from 'react-hook-form';

import { sizingLine } from '@/lib/allocation';
import type { BatchRow, Client, Holder } from '@/lib/api-types';
import { TRADE_TYPE_LABEL } from '@/lib/orders';
import { money, qty } from '@/lib/format';

import {
  Checkbox,
  FieldError,
  inputClass,
  StatusBadge,
} from '../ui';

/** The desk grid's columns (header and rows share them). */
export const DESK_GRID_COLS =
  'md:grid-cols-[minmax(0,2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)]';

/**
 * What the last column shows: the batch's rows once sent (with how a sized row's quantity was
 * computed); before that the typed quantity (per client), for a group order the member's multiplier,
 * or for "Selected clients" a tick (the server sizes those; the preview shows it).
 */
export type QuantityCell =
  | { kind: 'status'; rows: BatchRow[] }
  | { kind: 'input'; field: UseFormRegisterReturn; error?: string; typed: string; disabled: boolean }
  | { kind: 'group'; multiplier: string | null }
  | { kind: 'pick'; checked: boolean; onChange: (checked: boolean) => void; disabled: boolean };

/** One client on the desk: cash, margin, position in the chosen instrument, and the quantity cell. */
export function DeskClientRow({
  client: c,
  holders: own,
  hasInstrument,
  lot,
  cell,
}: {
  client: Client;
  holders: Holder[];
  hasInstrument: boolean;
  lot: number;
  cell: QuantityCell;
}) {
  return (
    <li
      data-testid="client-row"
      data-client-id={c.id}
      className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-3 md:items-center ${DESK_GRID_COLS}`}
    >
      <div className="col-span-2 min-w-0 md:col-span-1">
        <div className="truncate font-medium" data-testid="client-row-name">
          {c.display_name}
        </div>
        <div className="text-xs text-slate-500">
          {c.broker} · {c.broker_client_id}
        </div>
      </div>
      <div className="text-sm md:text-right">
        <span className="text-xs text-slate-500 md:hidden">Cash </span>
        <span className="tabular-nums">{c.summary ? money(c.summary.cash) : '—'}</span>
      </div>
      <div className="text-right text-sm">
        <span className="text-xs text-slate-500 md:hidden">Margin </span>
        <span className="tabular-nums">{c.summary ? money(c.summary.margin_available) : '—'}</span>
        {!c.summary && c.summary_error && <span className="block text-xs text-amber-800">{c.summary_error}</span>}
      </div>
      <div className="text-sm md:text-right" data-testid="client-row-position">
        <span className="text-xs text-slate-500 md:hidden">Position </span>
        {!hasInstrument ? (
          '—'
        ) : own.some((h) => h.error) ? (
          <span className="text-amber-800" title={own.find((h) => h.error)?.error ?? undefined}>
            unavailable
          </span>
        ) : own.length === 0 ? (
          <span className="text-slate-500">0</span>
        ) : (
          own.map((h) => (
            <span key={h.trade_type ?? ''} className="block tabular-nums">
              {qty(h.net_quantity)}{' '}
              <span className="text-xs text-slate-500">{h.trade_type ? TRADE_TYPE_LABEL[h.trade_type] : ''}</span>
            </span>
          ))
        )}
      </div>
      <div className="min-w-0 md:col-span-1">
        <Cell client={c} lot={lot} hasInstrument={hasInstrument} cell={cell} />
      </div>
    </li>
  );
}

function Cell({ client: c, lot, hasInstrument, cell }: { client: Client; lot: number; hasInstrument: boolean; cell: QuantityCell }) {
  if (cell.kind === 'status') {
    if (cell.rows.length === 0) {
      return (
        <span className="text-sm text-slate-500" data-testid="client-row-status" data-status="NOT_SENT">
          not sent
        </span>
      );
    }
    return cell.rows.map((r) => (
      <div key={`${r.order_id}-${r.trade_type}`} className="text-sm">
        <StatusBadge status={r.status} testId="client-row-status" />{' '}
        <span className="tabular-nums text-slate-600">
          {qty(r.filled_quantity)}/{qty(r.quantity)}
          {r.average_price ? ` @ ${money(r.average_price)}` : ''}
        </span>
        {r.reason && (
          <span className="block text-xs break-words text-red-700" data-testid="client-row-reason">
            {r.reason}
          </span>
        )}
        {r.sizing && (
          <span className="block text-xs break-words text-slate-500" data-testid="client-row-sizing" data-method={r.sizing.method}>
            {sizingLine(r.sizing)}
          </span>
        )}
      </div>
    ));
  }
  if (cell.kind === 'pick') {
    return (
      <label className="inline-flex items-center gap-1 text-sm text-slate-600" data-testid="client-row-pick" data-picked={cell.checked}>
        <Checkbox
          checked={cell.checked}
          onChange={cell.onChange}
          disabled={cell.disabled}
          label={`Include ${c.display_name}`}
          testId="client-pick"
        />
        {cell.disabled ? 'inactive' : cell.checked ? 'included' : 'not included'}
      </label>
    );
  }
  if (cell.kind === 'group') {
    return (
      <span className="text-sm text-slate-600" data-testid="client-row-group" data-member={cell.multiplier !== null}>
        {cell.multiplier !== null ? `in group ×${cell.multiplier}` : <span className="text-slate-400">not in group</span>}
      </span>
    );
  }
  const typed = cell.typed;
  const lots = hasInstrument && lot > 1 && /^\d+$/.test(typed.trim()) && Number(typed) % lot === 0 ? Number(typed) / lot : null;
  return (
    <div>
      <label htmlFor={`qty-${c.id}`} className="sr-only">
        Quantity for {c.display_name}
      </label>
      <input
        id={`qty-${c.id}`}
        data-testid="client-qty"
        inputMode="numeric"
        autoComplete="off"
        placeholder="0"
        disabled={cell.disabled}
        aria-invalid={cell.error ? true : undefined}
        className={`${inputClass} text-right tabular-nums`}
        {...cell.field}
      />
      <FieldError message={cell.error} />
      {lots !== null && <p className="mt-0.5 text-xs text-slate-500">{lots} lots</p>}
    </div>
  );
}
