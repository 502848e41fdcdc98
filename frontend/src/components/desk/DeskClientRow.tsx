'use client';

import type { UseFormRegisterReturn } from 'react-hook-form';

import { reasonText } from '@/lib/errors';
import { sizingLine } from '@/lib/allocation';
import type { BatchRow, Client, Holder } from '@/lib/api-types';
import { TRADE_TYPE_LABEL } from '@/lib/orders';
import { money, qty } from '@/lib/format';
import type { MarginFlag } from '@/lib/ticket-checks';

import {
  Checkbox,
  FieldError,
  inputClass,
  StatusBadge,
} from '../ui';

import { ClientGrid, type GridColumn } from './ClientGrid';

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

export interface DeskRowContext {
  holders: (clientId: number) => readonly Holder[];
  hasInstrument: boolean;
  lot: number;
  executing: boolean;
  cell: (client: Client) => QuantityCell;
  /** A BUY's value above the client's available margin (ticket check). */
  marginFlag: (client: Client) => MarginFlag | null;
}

const netPosition = (own: readonly Holder[]) =>
  own.some((h) => h.error) ? null : own.reduce((sum, h) => sum + h.net_quantity, 0);

/** The desk's columns of the shared client grid: cash, margin, position in the instrument, quantity or status. */
export function deskColumns(ctx: DeskRowContext): GridColumn<Client>[] {
  return [
    {
      id: 'client',
      header: 'Client',
      track: 'minmax(0,2fr)',
      phoneWide: true,
      sortValue: (c) => c.display_name,
      cell: (c) => (
        <div className="min-w-0 md:flex md:items-baseline md:gap-2">
          <span className="block truncate font-medium" data-testid="client-row-name">
            {c.display_name}
          </span>
          <span className="block truncate text-xs text-slate-500">
            {c.broker} · {c.broker_client_id}
          </span>
        </div>
      ),
    },
    {
      id: 'cash',
      header: 'Cash',
      track: 'minmax(0,1.1fr)',
      align: 'right',
      phoneLabel: 'Cash',
      sortValue: (c) => c.summary?.cash,
      cell: (c) => <span className="tabular-nums">{c.summary ? money(c.summary.cash) : '—'}</span>,
    },
    {
      id: 'margin',
      header: 'Margin available',
      track: 'minmax(0,1.1fr)',
      align: 'right',
      phoneLabel: 'Margin',
      sortValue: (c) => c.summary?.margin_available,
      cell: (c) => (
        <>
          <span className="tabular-nums">{c.summary ? money(c.summary.margin_available) : '—'}</span>
          {!c.summary && c.summary_error && <span className="block text-xs text-amber-800">{c.summary_error}</span>}
        </>
      ),
    },
    {
      id: 'position',
      header: 'Position',
      track: 'minmax(0,1fr)',
      align: 'right',
      phoneLabel: 'Position',
      sortValue: (c) => (ctx.hasInstrument ? netPosition(ctx.holders(c.id)) : null),
      cell: (c) => <PositionCell own={ctx.holders(c.id)} hasInstrument={ctx.hasInstrument} />,
    },
    {
      id: 'quantity',
      header: ctx.executing ? 'Status' : 'Quantity',
      track: 'minmax(0,1.6fr)',
      // On the phone the quantity sits beside the position; a sent row's status needs the whole width.
      phoneWide: ctx.executing,
      cell: (c) => <Cell client={c} lot={ctx.lot} hasInstrument={ctx.hasInstrument} cell={ctx.cell(c)} flag={ctx.marginFlag(c)} />,
    },
  ];
}

/** Row attributes the browser tests and the styles key on. */
export const deskRowAttrs = (ctx: DeskRowContext) => (c: Client) => ({
  'client-id': c.id,
  'over-margin': ctx.marginFlag(c) !== null ? true : undefined,
});

function PositionCell({ own, hasInstrument }: { own: readonly Holder[]; hasInstrument: boolean }) {
  return (
    <span data-testid="client-row-position">
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
    </span>
  );
}

/** One client row on its own (a grid of one), for tests and previews. */
export function DeskClientRow({
  client,
  holders,
  hasInstrument,
  lot,
  cell,
  flag = null,
}: {
  client: Client;
  holders: Holder[];
  hasInstrument: boolean;
  lot: number;
  cell: QuantityCell;
  flag?: MarginFlag | null;
}) {
  const ctx: DeskRowContext = {
    holders: () => holders,
    hasInstrument,
    lot,
    executing: cell.kind === 'status',
    cell: () => cell,
    marginFlag: () => flag,
  };
  return (
    <ClientGrid
      columns={deskColumns(ctx)}
      rows={[client]}
      rowKey={(c) => c.id}
      rowAttrs={deskRowAttrs(ctx)}
      filterText={(c) => c.display_name}
      testId="client-grid-rows"
      rowTestId="client-row"
    />
  );
}

function Cell({
  client: c,
  lot,
  hasInstrument,
  cell,
  flag,
}: {
  client: Client;
  lot: number;
  hasInstrument: boolean;
  cell: QuantityCell;
  flag: MarginFlag | null;
}) {
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
            {reasonText(r.reason)}
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
        className={`${inputClass} text-right tabular-nums md:min-h-8 md:py-0.5 md:text-sm`}
        {...cell.field}
      />
      <FieldError message={cell.error} />
      {lots !== null && <p className="mt-0.5 text-xs text-slate-500">{lots} lots</p>}
      {flag && (
        <p className="mt-0.5 text-xs text-amber-800" data-testid="client-row-margin-flag">
          {money(flag.value)} is above the margin available {money(flag.available)}
        </p>
      )}
    </div>
  );
}
