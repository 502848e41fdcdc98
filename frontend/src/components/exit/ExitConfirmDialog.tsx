'use client';

import type { ApiError } from '@/lib/api';
import type { Holder } from '@/lib/api-types';
import { add, dec, mul, toDecimalString } from '@/lib/decimal';
import { errorText } from '@/lib/errors';
import { isUncertainFailure } from '@/lib/idempotency';
import { exitSide, sideLabel, TRADE_TYPE_LABEL } from '@/lib/orders';
import type { ExitFormValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';

import { Button, ErrorAlert, Modal } from '../ui';

import type { ExitClient } from './ExitHolderRow';

/**
 * The exit's confirmation: its terms, totals, and each client with what it will send ("EXIT (SELL)
 * 25 Intraday"), as the buy confirmation lists its clients. `price` is the limit, or the last price
 * for an estimate of a market exit.
 */
export function ExitConfirmDialog({
  symbol,
  pending,
  clients,
  own,
  price,
  submitting,
  error,
  onCancel,
  onConfirm,
}: {
  symbol: string;
  pending: ExitFormValues | null;
  clients: readonly ExitClient[];
  own: (clientId: number) => readonly Holder[];
  price: string | null;
  submitting: boolean;
  error: ApiError | null;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const names = new Map(clients.map((c) => [c.client_id, c.client_name]));
  const lines = (pending?.client_ids ?? []).flatMap((id) =>
    own(id)
      .filter((h) => h.net_quantity !== 0)
      .map((h) => ({ id, h })),
  );
  const total = lines.reduce((s, l) => s + Math.abs(l.h.net_quantity), 0);
  let value: string | null = null;
  if (price) {
    try {
      value = toDecimalString(lines.reduce((acc, l) => add(acc, mul(dec(price), dec(Math.abs(l.h.net_quantity)))), dec(0)));
    } catch {
      value = null;
    }
  }
  return (
    <Modal open={pending !== null} onClose={() => !submitting && onCancel()} title={`Exit ${symbol}`} testId="exit-confirm-dialog">
      {pending && (
        <div className="space-y-3 text-sm">
          <p>
            {pending.order_type === 'LIMIT' ? `Limit at ${money(pending.price)}` : 'Market'} exit for every trade type the
            selected clients hold.
          </p>
          <dl className="grid grid-cols-3 gap-2 rounded-lg bg-slate-50 p-3">
            <div>
              <dt className="text-xs text-slate-500">Clients</dt>
              <dd className="font-semibold" data-testid="exit-confirm-clients">
                {pending.client_ids.length}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Total quantity</dt>
              <dd className="font-semibold tabular-nums" data-testid="exit-confirm-quantity">
                {qty(total)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Est. value</dt>
              <dd className="font-semibold tabular-nums">{money(value)}</dd>
            </div>
          </dl>
          <ul
            className="max-h-48 divide-y divide-slate-100 overflow-y-auto rounded-lg border border-slate-200"
            data-testid="exit-confirm-lines"
          >
            {lines.map(({ id, h }) => (
              <li key={`${id}-${h.trade_type}`} className="flex justify-between gap-3 px-3 py-2" data-testid="exit-confirm-line">
                <span className="min-w-0 truncate">{names.get(id) ?? `Client ${id}`}</span>
                <span className="shrink-0 tabular-nums">
                  <span className={exitSide(h.net_quantity) === 'SELL' ? 'text-red-700' : 'text-emerald-700'}>
                    {sideLabel('EXIT', exitSide(h.net_quantity))}
                  </span>{' '}
                  {qty(Math.abs(h.net_quantity))}{' '}
                  <span className="text-xs text-slate-500">{h.trade_type ? TRADE_TYPE_LABEL[h.trade_type] : ''}</span>
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <div className="mt-3">
          <ErrorAlert
            testId="exit-error"
            error={
              isUncertainFailure(error)
                ? `${error.message} The exit may or may not have been placed: “Retry” reuses the same idempotency key, so it cannot exit twice.`
                : errorText(error)
            }
          />
        </div>
      )}
      <div className="mt-4 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button variant="danger" onClick={onConfirm} disabled={submitting} data-testid="exit-confirm">
          {submitting ? 'Sending…' : error && isUncertainFailure(error) ? 'Retry' : 'Confirm exit'}
        </Button>
      </div>
    </Modal>
  );
}
