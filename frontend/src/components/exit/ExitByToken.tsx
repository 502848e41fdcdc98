'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApi } from '@/hooks/useApi';
import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { usePathParams } from '@/hooks/usePathParams';
import { useBatch, useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import type { BatchRow, Holder, Instrument } from '@/lib/api-types';
import { add, dec, mul, PLAIN_DECIMAL_RE, toDecimalString } from '@/lib/decimal';
import { isUncertainFailure } from '@/lib/idempotency';
import { applyPositionToHolders, isPosition } from '@/lib/positions';
import { exitFormSchema, toExitRequest, type ExitFormValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';
import { batchRows, batchTotals } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';

import { BatchProgressSummary } from '../BatchProgressSummary';
import { ExitHolderRow } from './ExitHolderRow';
import { LivePrice } from '../LivePrice';
import {
  Button,
  buttonClass,
  Card,
  Checkbox,
  Empty,
  ErrorAlert,
  FieldError,
  inputClass,
  Loading,
  Modal,
  Segmented,
} from '../ui';

interface ClientGroup {
  client_id: number;
  client_name: string;
}

/** /exit/{tokenId}: close every selected client's position in one token. */
export function ExitByToken() {
  const params = usePathParams('/exit/[tokenId]');
  const raw = params?.tokenId;
  if (raw === undefined) return <Loading />;
  if (!/^\d+$/.test(raw)) return <ErrorAlert error={`“${raw}” is not a token id.`} />;
  return <ExitForToken key={raw} tokenId={Number(raw)} />;
}

function ExitForToken({ tokenId }: { tokenId: number }) {
  const role = useAuthStore((s) => s.user?.role);
  const canTrade = role === 'admin' || role === 'advisor';
  const instrument = useApi<Instrument>(`/tokens/${tokenId}`);
  const holders = useApi<Holder[]>(`/tokens/${tokenId}/holders`);
  useLiveQuotes([tokenId]);
  const ltp = useQuotesStore((s) => s.quotes[tokenId]?.ltp);

  // Everyone who held the token since the page opened stays listed (their position goes to 0).
  const [clients, setClients] = useState<ClientGroup[]>([]);
  const [deselected, setDeselected] = useState<Set<number>>(new Set());
  useEffect(() => {
    if (!holders.data) return;
    setClients((prev) => {
      const known = new Set(prev.map((c) => c.client_id));
      const added = holders.data!.filter((h, i, all) => !known.has(h.client_id) && all.findIndex((x) => x.client_id === h.client_id) === i);
      return added.length ? [...prev, ...added.map((h) => ({ client_id: h.client_id, client_name: h.client_name }))] : prev;
    });
  }, [holders.data]);

  // Real positions per client; and clients whose books could not be read (they cannot be selected).
  const byClient = useMemo(() => {
    const map = new Map<number, Holder[]>();
    for (const h of holders.data ?? []) {
      if (isPosition(h)) map.set(h.client_id, [...(map.get(h.client_id) ?? []), h]);
    }
    return map;
  }, [holders.data]);
  const unreadable = useMemo(
    () => new Map((holders.data ?? []).filter((h) => h.error).map((h) => [h.client_id, h.error ?? ''])),
    [holders.data],
  );

  const setHolders = holders.setData;
  useRealtimeEvent('position_update', (u) => {
    if (u.token_id !== tokenId) return;
    const name = clients.find((c) => c.client_id === u.client_id)?.client_name ?? '';
    setHolders((prev) => (prev ? applyPositionToHolders(prev, u, name, ltp) : prev));
  });

  const selectedIds = clients.filter((c) => byClient.has(c.client_id) && !deselected.has(c.client_id)).map((c) => c.client_id);

  const rules = instrument.data ?? { tick_size: '0.05', lot_size: 1 };
  const form = useForm<ExitFormValues>({
    resolver: zodResolver(exitFormSchema(rules)),
    defaultValues: { order_type: 'MARKET', price: '', client_ids: [] },
  });
  const { register, handleSubmit, setValue, control, formState, clearErrors } = form;
  const orderType = useWatch({ control, name: 'order_type' });
  const price = useWatch({ control, name: 'price' });
  useEffect(() => {
    setValue('client_ids', selectedIds, { shouldValidate: formState.isSubmitted });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the ids' content
  }, [selectedIds.join(','), setValue]);

  const batchSubmit = useBatchSubmit(`/trades/exit-by-token/${tokenId}`);
  const batch = useBatch(batchSubmit.batchId);
  const totals = batchTotals(batch);
  const batchDone = batch != null && (batch.status === 'COMPLETED' || (totals.total > 0 && totals.closed === totals.total));
  const executing = batchSubmit.batchId !== null;
  const reloadHolders = holders.reload;
  useEffect(() => {
    if (batchDone) reloadHolders();
  }, [batchDone, reloadHolders]);

  const rowsByClient = useMemo(() => {
    const map = new Map<number, BatchRow[]>();
    for (const r of batchRows(batch)) map.set(r.client_id, [...(map.get(r.client_id) ?? []), r]);
    return map;
  }, [batch]);

  const [confirm, setConfirm] = useState<ExitFormValues | null>(null);

  const exitQty = (ids: readonly number[]) =>
    ids.reduce((sum, id) => sum + (byClient.get(id) ?? []).reduce((s, h) => s + Math.abs(h.net_quantity), 0), 0);
  const priceFor = (values: Pick<ExitFormValues, 'order_type' | 'price'>) =>
    values.order_type === 'LIMIT' ? (PLAIN_DECIMAL_RE.test(values.price.trim()) ? values.price.trim() : null) : (ltp ?? null);
  const estimate = (values: ExitFormValues): string | null => {
    const p = priceFor(values);
    if (!p) return null;
    try {
      return toDecimalString(values.client_ids.reduce((acc, id) => add(acc, mul(dec(p), dec(exitQty([id])))), dec(0)));
    } catch {
      return null;
    }
  };

  const send = async () => {
    if (!confirm) return;
    const result = await batchSubmit.submit(toExitRequest(confirm));
    if (result) setConfirm(null);
  };

  const symbol = instrument.data?.symbol ?? `token ${tokenId}`;
  const allSelected = clients.length > 0 && clients.every((c) => !byClient.has(c.client_id) || !deselected.has(c.client_id));

  return (
    <form
      noValidate
      data-testid="exit-page"
      onSubmit={handleSubmit((v) => {
        batchSubmit.clearError();
        setConfirm(v);
      })}
      className="space-y-4"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Exit {symbol}</h1>
        <Link href={`/?token=${tokenId}`} className={buttonClass('secondary')}>
          Back to desk
        </Link>
      </div>

      {instrument.error && <ErrorAlert error={instrument.error} onRetry={instrument.reload} />}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>{instrument.data ? <LivePrice instrument={instrument.data} /> : <Loading />}</Card>
        <Card>
          <fieldset disabled={!canTrade || executing} className="min-w-0 space-y-3">
            <legend className="mb-1 block text-sm font-medium">Exit order type</legend>
            <Segmented<'MARKET' | 'LIMIT'>
              label="Exit order type"
              testId="exit-order-type"
              value={orderType}
              options={[
                { value: 'MARKET', label: 'Market' },
                { value: 'LIMIT', label: 'Limit' },
              ]}
              onChange={(v) => {
                setValue('order_type', v);
                if (v === 'MARKET') setValue('price', '');
                clearErrors('price');
              }}
            />
            {orderType === 'LIMIT' && (
              <div>
                <label htmlFor="exit-price" className="mb-1 block text-sm font-medium">
                  Limit price
                </label>
                <input
                  id="exit-price"
                  data-testid="exit-price"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder={instrument.data ? `tick ${instrument.data.tick_size}` : ''}
                  aria-invalid={formState.errors.price ? true : undefined}
                  className={inputClass}
                  {...register('price')}
                />
                <FieldError message={formState.errors.price?.message} />
              </div>
            )}
            <p className="text-xs text-slate-500">
              Each selected client gets an opposite-side order for its whole net quantity, per trade type.
            </p>
          </fieldset>
        </Card>
      </div>

      <Card data-testid="exit-holders">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-base font-semibold">Clients holding {symbol}</h2>
          {canTrade && !executing && byClient.size > 0 && (
            <span className="inline-flex items-center text-sm">
              <Checkbox
                label="Select all"
                testId="exit-select-all"
                checked={allSelected}
                onChange={(on) => setDeselected(on ? new Set() : new Set(clients.map((c) => c.client_id)))}
              />
              Select all
            </span>
          )}
        </div>
        {holders.error && <ErrorAlert error={holders.error} onRetry={holders.reload} />}
        {holders.loading && !holders.data && <Loading>Loading positions…</Loading>}
        {holders.data && clients.length === 0 && (
          <Empty testId="exit-empty">No client holds {symbol}.</Empty>
        )}
        {clients.length > 0 && (
          <>
            <div className="hidden grid-cols-[2.75rem_minmax(0,2fr)_minmax(0,1.3fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)] gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid">
              <span />
              <span>Client</span>
              <span className="text-right">Position</span>
              <span className="text-right">Unrealised</span>
              <span className="text-right">Realised</span>
              <span>Status</span>
            </div>
            <ul className="divide-y divide-slate-100">
              {clients.map((c) => {
                const own = byClient.get(c.client_id) ?? [];
                const holds = own.length > 0;
                return (
                  <ExitHolderRow
                    key={c.client_id}
                    client={c}
                    own={own}
                    rows={rowsByClient.get(c.client_id) ?? []}
                    ltp={ltp}
                    selectable={canTrade && !executing && holds}
                    checked={holds && !deselected.has(c.client_id)}
                    executing={executing}
                    readError={unreadable.get(c.client_id)}
                    onToggle={(on) =>
                      setDeselected((prev) => {
                        const next = new Set(prev);
                        if (on) next.delete(c.client_id);
                        else next.add(c.client_id);
                        return next;
                      })
                    }
                  />
                );
              })}
            </ul>
          </>
        )}
        {executing && batchDone && byClient.size === 0 && (
          <p className="mt-3 text-sm text-emerald-700" data-testid="exit-all-closed">
            Every position in {symbol} is closed.
          </p>
        )}
      </Card>

      <div className="sticky bottom-0 z-10 -mx-4 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.06)] backdrop-blur sm:mx-0 sm:rounded-xl sm:border">
        {executing ? (
          <BatchProgressSummary view={batch} />
        ) : (
          <div className="flex flex-wrap items-center gap-3">
            <div className="min-w-0 flex-1 text-sm" data-testid="exit-summary">
              <span className="font-medium">{selectedIds.length}</span> clients ·{' '}
              <span className="font-medium tabular-nums">{qty(exitQty(selectedIds))}</span> qty
              {formState.errors.client_ids && (
                <p role="alert" className="text-red-700">
                  {formState.errors.client_ids.message}
                </p>
              )}
            </div>
            <Button
              type="submit"
              variant="danger"
              className="w-full sm:w-auto"
              data-testid="exit-submit"
              disabled={!canTrade || selectedIds.length === 0 || !instrument.data}
            >
              Exit selected
            </Button>
          </div>
        )}
      </div>

      <Modal open={confirm !== null} onClose={() => !batchSubmit.submitting && setConfirm(null)} title={`Exit ${symbol}`} testId="exit-confirm-dialog">
        {confirm && (
          <div className="space-y-3 text-sm">
            <p>
              {confirm.order_type === 'LIMIT' ? `Limit at ${money(confirm.price)}` : 'Market'} exit for every
              trade type the selected clients hold.
            </p>
            <dl className="grid grid-cols-3 gap-2 rounded-lg bg-slate-50 p-3">
              <div>
                <dt className="text-xs text-slate-500">Clients</dt>
                <dd className="font-semibold" data-testid="exit-confirm-clients">
                  {confirm.client_ids.length}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Total quantity</dt>
                <dd className="font-semibold tabular-nums">{qty(exitQty(confirm.client_ids))}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Est. value</dt>
                <dd className="font-semibold tabular-nums">{money(estimate({ ...confirm, price }))}</dd>
              </div>
            </dl>
          </div>
        )}
        {batchSubmit.error && (
          <div className="mt-3">
            <ErrorAlert
              testId="exit-error"
              error={
                isUncertainFailure(batchSubmit.error)
                  ? `${batchSubmit.error.message} The exit may or may not have been placed: “Retry” reuses the same idempotency key, so it cannot exit twice.`
                  : batchSubmit.error.message
              }
            />
          </div>
        )}
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirm(null)} disabled={batchSubmit.submitting}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => void send()} disabled={batchSubmit.submitting} data-testid="exit-confirm">
            {batchSubmit.submitting ? 'Sending…' : batchSubmit.error ? 'Retry' : 'Confirm exit'}
          </Button>
        </div>
      </Modal>
    </form>
  );
}
