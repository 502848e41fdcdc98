'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApi } from '@/hooks/useApi';
import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { useBatch, useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { api } from '@/lib/api';
import type { BatchRow, Client, Holder, Instrument, OrderType, Page, TradeType } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { isUncertainFailure } from '@/lib/idempotency';
import { summarise, type Summary } from '@/lib/order-summary';
import { needsPrice, needsTrigger, ORDER_TYPES, TRADE_TYPE_LABEL, TRADE_TYPES } from '@/lib/orders';
import { applyPositionToHolders } from '@/lib/positions';
import {
  orderFormSchema,
  quantityError,
  toExecuteAllRequest,
  type OrderFormValues,
} from '@/lib/validation';
import { useAuthStore } from '@/stores/auth';
import { batchRows, batchTotals } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRiskStore } from '@/stores/risk';

import { BatchProgressSummary } from './BatchProgressSummary';
import { RetryFailedRows } from './RetryFailedRows';
import { ConfirmSummary } from './ConfirmSummary';
import { DeskChart } from './DeskChart';
import { LivePrice } from './LivePrice';
import { TokenSearch } from './TokenSearch';
import {
  Button,
  Card,
  Empty,
  ErrorAlert,
  FieldError,
  inputClass,
  Loading,
  Modal,
  money,
  qty,
  Segmented,
  StatusBadge,
} from './ui';

type ExecutionChoice = 'BUY' | 'SELL' | 'EXIT';

const EXECUTIONS = [
  { value: 'BUY', label: 'Buy', tone: 'buy' },
  { value: 'SELL', label: 'Sell', tone: 'sell' },
  { value: 'EXIT', label: 'Exit' },
] as const;

const defaultValues: OrderFormValues = {
  trade_type: 'INTRADAY',
  order_type: 'MARKET',
  execution: 'BUY',
  price: '',
  trigger_price: '',
  allocations: [],
};

function readTokenParam(): number | null {
  const raw = new URLSearchParams(window.location.search).get('token');
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

export function Dashboard() {
  const router = useRouter();
  const role = useAuthStore((s) => s.user?.role);
  const canTrade = role === 'admin' || role === 'advisor';

  const [instrument, setInstrument] = useState<Instrument | null>(null);
  const [instrumentError, setInstrumentError] = useState<string | null>(null);
  const instrumentRef = useRef<Instrument | null>(null);
  instrumentRef.current = instrument;

  // Deep link / reload: /?token=2885 reopens that instrument.
  useEffect(() => {
    const tokenId = readTokenParam();
    if (tokenId === null) return;
    api
      .get<Instrument>(`/tokens/${tokenId}`)
      .then((i) => setInstrument((cur) => cur ?? i))
      .catch((err: unknown) => setInstrumentError(err instanceof Error ? err.message : 'Unknown instrument'));
  }, []);

  const clients = useApi<Page<Client>>('/clients?limit=1000');
  const holders = useApi<Holder[]>(instrument ? `/tokens/${instrument.token_id}/holders` : null);
  useLiveQuotes(instrument ? [instrument.token_id] : []);
  const ltp = useQuotesStore((s) => (instrument ? s.quotes[instrument.token_id]?.ltp : undefined));

  const resolver = useMemo<Resolver<OrderFormValues>>(
    () => async (values, context, options) => {
      const current = instrumentRef.current;
      if (!current) {
        return { values: {}, errors: { root: { type: 'instrument', message: 'Choose an instrument first' } } };
      }
      return zodResolver(orderFormSchema(current))(values, context, options);
    },
    [],
  );

  const form = useForm<OrderFormValues>({ resolver, defaultValues, mode: 'onSubmit', reValidateMode: 'onChange' });
  const { register, handleSubmit, setValue, getValues, control, formState, clearErrors, reset } = form;
  const { errors } = formState;

  const clientList = useMemo(() => clients.data?.items ?? [], [clients.data]);
  const clientNames = useMemo(() => new Map(clientList.map((c) => [c.id, c.display_name])), [clientList]);

  // One allocation per client, in the grid's order.
  useEffect(() => {
    const prev = new Map(getValues('allocations').map((a) => [a.client_id, a.quantity]));
    setValue(
      'allocations',
      clientList.map((c) => ({ client_id: c.id, quantity: prev.get(c.id) ?? '' })),
    );
  }, [clientList, getValues, setValue]);

  const orderType = useWatch({ control, name: 'order_type' });
  const execution = useWatch({ control, name: 'execution' });
  const tradeType = useWatch({ control, name: 'trade_type' });
  const price = useWatch({ control, name: 'price' });
  const allocations = useWatch({ control, name: 'allocations' });
  const summary = summarise({ allocations, order_type: orderType, price }, ltp);

  const batchSubmit = useBatchSubmit('/orders/execute-all');
  // After "Retry failed rows" the desk follows the retry batch instead.
  const [retryId, setRetryId] = useState<number | null>(null);
  // The order type the batch was sent with (the form may change meanwhile): a retry's new price needs LIMIT/SL.
  const [sentOrderType, setSentOrderType] = useState<OrderType | null>(null);
  const batch = useBatch(retryId ?? batchSubmit.batchId);
  // Refused by a halt the banner does not show yet (it polls): show it now.
  const haltRefusal = batchSubmit.error?.code === 'TRADING_HALTED' ? batchSubmit.error : null;
  useEffect(() => {
    if (haltRefusal) void useRiskStore.getState().refresh();
  }, [haltRefusal]);
  const totals = batchTotals(batch);
  const batchDone = batch != null && (batch.status === 'COMPLETED' || (totals.total > 0 && totals.closed === totals.total));
  const executing = batchSubmit.batchId !== null;

  const [confirm, setConfirm] = useState<{ values: OrderFormValues; summary: Summary } | null>(null);
  const [fillWith, setFillWith] = useState('');
  const [fillError, setFillError] = useState<string | null>(null);

  // Positions: live from position_update, and reloaded when a batch finishes.
  const setHolders = holders.setData;
  useRealtimeEvent('position_update', (u) => {
    if (!instrument || u.token_id !== instrument.token_id) return;
    setHolders((prev) => (prev ? applyPositionToHolders(prev, u, clientNames.get(u.client_id) ?? '', ltp) : prev));
  });
  const reloadHolders = holders.reload;
  const reloadClients = clients.reload;
  useEffect(() => {
    if (batchDone) {
      reloadHolders();
      reloadClients();
    }
  }, [batchDone, reloadHolders, reloadClients]);

  const holdersByClient = useMemo(() => {
    const map = new Map<number, Holder[]>();
    for (const h of holders.data ?? []) map.set(h.client_id, [...(map.get(h.client_id) ?? []), h]);
    return map;
  }, [holders.data]);

  const rowsByClient = useMemo(() => {
    const map = new Map<number, BatchRow[]>();
    for (const r of batchRows(batch)) map.set(r.client_id, [...(map.get(r.client_id) ?? []), r]);
    return map;
  }, [batch]);

  const chooseInstrument = useCallback(
    (i: Instrument) => {
      setInstrument(i);
      setInstrumentError(null);
      clearErrors();
      window.history.replaceState(null, '', `/?token=${i.token_id}`);
    },
    [clearErrors],
  );

  const onExecution = (v: ExecutionChoice) => {
    if (v === 'EXIT') {
      if (instrument) router.push(`/exit/${instrument.token_id}`);
      return;
    }
    setValue('execution', v);
  };

  const onOrderType = (t: OrderType) => {
    setValue('order_type', t);
    // Fields the order type does not use are emptied, not sent.
    if (!needsPrice(t)) setValue('price', '');
    if (!needsTrigger(t)) setValue('trigger_price', '');
    clearErrors(['price', 'trigger_price']);
  };

  const fillAll = () => {
    if (!instrument) return;
    const err = quantityError(fillWith, instrument.lot_size);
    if (err) {
      setFillError(err);
      return;
    }
    setFillError(null);
    getValues('allocations').forEach((_, i) =>
      setValue(`allocations.${i}.quantity`, fillWith.trim(), { shouldValidate: formState.isSubmitted }),
    );
  };

  const clearAll = () => {
    getValues('allocations').forEach((_, i) => setValue(`allocations.${i}.quantity`, ''));
    clearErrors('allocations');
  };

  const onValid = (values: OrderFormValues) => {
    batchSubmit.clearError();
    setConfirm({ values, summary: summarise(values, ltp) });
  };

  const send = async () => {
    if (!confirm || !instrument) return;
    setSentOrderType(confirm.values.order_type);
    const batchResult = await batchSubmit.submit(toExecuteAllRequest(instrument.token_id, confirm.values));
    if (batchResult) setConfirm(null);
  };

  const newOrder = () => {
    batchSubmit.reset();
    setRetryId(null);
    reset({ ...getValues(), allocations: getValues('allocations').map((a) => ({ ...a, quantity: '' })) });
  };

  const allocationsError =
    (errors.allocations as { message?: string } | undefined)?.message ?? errors.allocations?.root?.message;
  const lot = instrument?.lot_size ?? 1;

  return (
    <form noValidate onSubmit={handleSubmit(onValid)} className="space-y-4 pb-2" data-testid="dashboard">
      <h1 className="text-xl font-semibold tracking-tight">Desk</h1>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <TokenSearch onSelect={chooseInstrument} />
          <div className="mt-4" data-testid="selected-instrument" data-token-id={instrument?.token_id ?? ''}>
            {instrument ? (
              <LivePrice instrument={instrument} />
            ) : (
              <p className="text-sm text-slate-500">
                {instrumentError ?? 'Search for an instrument to trade: type, then ↓ and Enter.'}
              </p>
            )}
          </div>
        </Card>

        <Card>
          <fieldset disabled={!canTrade || executing} className="min-w-0 space-y-3">
            <legend className="sr-only">Order</legend>
            <div>
              <span className="mb-1 block text-sm font-medium">Execution</span>
              <Segmented<ExecutionChoice>
                label="Execution"
                testId="execution"
                value={execution}
                options={EXECUTIONS.map((e) =>
                  e.value === 'EXIT'
                    ? { ...e, disabled: !instrument, title: 'Exit every client holding the chosen instrument' }
                    : e,
                )}
                onChange={onExecution}
              />
            </div>
            <div>
              <span className="mb-1 block text-sm font-medium">Trade type</span>
              <Segmented<TradeType>
                label="Trade type"
                testId="trade-type"
                value={tradeType}
                options={TRADE_TYPES}
                onChange={(v) => setValue('trade_type', v)}
              />
            </div>
            <div>
              <span className="mb-1 block text-sm font-medium">Order type</span>
              <Segmented<OrderType>
                label="Order type"
                testId="order-type"
                value={orderType}
                options={ORDER_TYPES}
                onChange={onOrderType}
              />
            </div>
            {(needsPrice(orderType) || needsTrigger(orderType)) && (
              <div className="grid gap-3 sm:grid-cols-2">
                {needsPrice(orderType) && (
                  <div>
                    <label htmlFor="order-price" className="mb-1 block text-sm font-medium">
                      Limit price
                    </label>
                    <input
                      id="order-price"
                      data-testid="order-price"
                      inputMode="decimal"
                      autoComplete="off"
                      placeholder={instrument ? `tick ${instrument.tick_size}` : ''}
                      aria-invalid={errors.price ? true : undefined}
                      aria-describedby={errors.price ? 'order-price-error' : undefined}
                      className={inputClass}
                      {...register('price')}
                    />
                    <FieldError id="order-price-error" message={errors.price?.message} />
                  </div>
                )}
                {needsTrigger(orderType) && (
                  <div>
                    <label htmlFor="order-trigger" className="mb-1 block text-sm font-medium">
                      Trigger price
                    </label>
                    <input
                      id="order-trigger"
                      data-testid="order-trigger"
                      inputMode="decimal"
                      autoComplete="off"
                      placeholder={instrument ? `tick ${instrument.tick_size}` : ''}
                      aria-invalid={errors.trigger_price ? true : undefined}
                      aria-describedby={errors.trigger_price ? 'order-trigger-error' : undefined}
                      className={inputClass}
                      {...register('trigger_price')}
                    />
                    <FieldError id="order-trigger-error" message={errors.trigger_price?.message} />
                  </div>
                )}
              </div>
            )}
            {!canTrade && <p className="text-sm text-slate-500">Read-only: viewers cannot place orders.</p>}
          </fieldset>
        </Card>
      </div>

      {instrument && <DeskChart instrument={instrument} holders={holders.data} />}

      <Card data-testid="client-grid">
        <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
          <div>
            <h2 className="text-base font-semibold">
              Clients{clients.data ? ` (${clients.data.total})` : ''}
            </h2>
            <p className="text-xs text-slate-500">
              {instrument
                ? `Quantity per client in multiples of ${lot} (lot size); 0 or empty skips the client.`
                : 'Choose an instrument to see positions and enter quantities.'}
            </p>
          </div>
          {canTrade && !executing && clientList.length > 0 && (
            <div className="flex flex-wrap items-start gap-2">
              <div>
                <label htmlFor="fill-all" className="sr-only">
                  Quantity for every client
                </label>
                <input
                  id="fill-all"
                  data-testid="fill-all-input"
                  inputMode="numeric"
                  placeholder={`e.g. ${lot * 10}`}
                  value={fillWith}
                  onChange={(e) => setFillWith(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      fillAll();
                    }
                  }}
                  aria-invalid={fillError ? true : undefined}
                  className={`${inputClass} w-28`}
                />
              </div>
              <button
                type="button"
                data-testid="fill-all"
                onClick={fillAll}
                disabled={!instrument}
                className="inline-flex min-h-11 items-center rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100 disabled:opacity-50"
              >
                Fill all
              </button>
              <button
                type="button"
                onClick={clearAll}
                className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100"
              >
                Clear
              </button>
              {fillError && <p className="basis-full text-sm text-red-700">{fillError}</p>}
            </div>
          )}
        </div>

        {clients.error && <ErrorAlert error={clients.error} onRetry={clients.reload} />}
        {holders.error && <ErrorAlert error={`Positions: ${holders.error.message}`} onRetry={holders.reload} />}
        {clients.loading && !clients.data && <Loading>Loading clients…</Loading>}
        {clients.data && clientList.length === 0 && (
          <Empty testId="clients-empty">No clients yet. Add one on the Clients page.</Empty>
        )}

        {clientList.length > 0 && (
          <div>
            <div className="hidden grid-cols-[minmax(0,2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)] gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid">
              <span>Client</span>
              <span className="text-right">Cash</span>
              <span className="text-right">Margin available</span>
              <span className="text-right">Position</span>
              <span>{executing ? 'Status' : 'Quantity'}</span>
            </div>
            <ul className="divide-y divide-slate-100">
              {clientList.map((c, i) => {
                const own = holdersByClient.get(c.id) ?? [];
                const rows = rowsByClient.get(c.id) ?? [];
                const qErr = errors.allocations?.[i]?.quantity?.message;
                const typed = allocations[i]?.quantity ?? '';
                const lots = instrument && lot > 1 && /^\d+$/.test(typed.trim()) && Number(typed) % lot === 0 ? Number(typed) / lot : null;
                return (
                  <li
                    key={c.id}
                    data-testid="client-row"
                    data-client-id={c.id}
                    className="grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-3 md:grid-cols-[minmax(0,2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)] md:items-center"
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
                      {!c.summary && c.summary_error && (
                        <span className="block text-xs text-amber-800">{c.summary_error}</span>
                      )}
                    </div>
                    <div className="text-sm md:text-right" data-testid="client-row-position">
                      <span className="text-xs text-slate-500 md:hidden">Position </span>
                      {!instrument ? (
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
                      {executing ? (
                        rows.length === 0 ? (
                          <span className="text-sm text-slate-500" data-testid="client-row-status" data-status="NOT_SENT">
                            not sent
                          </span>
                        ) : (
                          rows.map((r) => (
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
                            </div>
                          ))
                        )
                      ) : (
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
                            disabled={!canTrade || !instrument}
                            aria-invalid={qErr ? true : undefined}
                            className={`${inputClass} text-right tabular-nums`}
                            {...register(`allocations.${i}.quantity`)}
                          />
                          <FieldError message={qErr} />
                          {lots !== null && <p className="mt-0.5 text-xs text-slate-500">{lots} lots</p>}
                        </div>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
        )}
      </Card>

      {/* The action bar stays on screen (bottom) so the order can be sent from anywhere in a long list. */}
      <div className="sticky bottom-0 z-10 -mx-4 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.06)] backdrop-blur sm:mx-0 sm:rounded-xl sm:border">
        {executing ? (
          <div className="flex flex-wrap items-center gap-3">
            <BatchProgressSummary view={batch} />
            {batchDone && (
              <RetryFailedRows
                view={batch}
                priced={sentOrderType !== null && needsPrice(sentOrderType)}
                tickSize={instrument?.tick_size ?? '0.05'}
                onRetried={setRetryId}
              />
            )}
            {batchDone && (
              <Button variant="secondary" onClick={newOrder} data-testid="new-order">
                New order
              </Button>
            )}
          </div>
        ) : (
          <div className="flex flex-wrap items-center gap-3">
            <div className="min-w-0 flex-1 text-sm" data-testid="order-summary">
              <span className="font-medium">{summary.clients}</span> clients ·{' '}
              <span className="font-medium tabular-nums">{qty(summary.quantity)}</span> qty · est.{' '}
              <span className="font-medium tabular-nums">{summary.value ? money(summary.value) : '—'}</span>
              {(allocationsError || errors.root?.message) && (
                <p role="alert" className="text-sm text-red-700" data-testid="order-form-error">
                  {allocationsError ?? errors.root?.message}
                </p>
              )}
            </div>
            <Button
              type="submit"
              variant={execution === 'SELL' ? 'sell' : 'buy'}
              disabled={!canTrade || !instrument || clientList.length === 0}
              data-testid="execute-all"
              className="w-full sm:w-auto"
            >
              Execute All Orders
            </Button>
          </div>
        )}
      </div>

      <Modal
        open={confirm !== null}
        onClose={() => !batchSubmit.submitting && setConfirm(null)}
        title="Confirm orders"
        testId="confirm-dialog"
      >
        {confirm && instrument && (
          <ConfirmSummary
            instrument={instrument}
            values={confirm.values}
            summary={confirm.summary}
            ltp={ltp}
            names={clientNames}
          />
        )}
        {batchSubmit.error && (
          <div className="mt-3">
            <ErrorAlert
              testId="execute-error"
              error={
                isUncertainFailure(batchSubmit.error)
                  ? `${batchSubmit.error.message} The orders may or may not have been placed: “Retry” sends the same request with the same idempotency key, so it cannot place them twice.`
                  : errorText(batchSubmit.error)
              }
            />
          </div>
        )}
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirm(null)} disabled={batchSubmit.submitting}>
            Cancel
          </Button>
          <Button
            variant={confirm?.values.execution === 'SELL' ? 'sell' : 'buy'}
            onClick={() => void send()}
            disabled={batchSubmit.submitting}
            data-testid="confirm-execute"
          >
            {batchSubmit.submitting ? 'Sending…' : batchSubmit.error ? 'Retry' : 'Confirm'}
          </Button>
        </div>
      </Modal>
    </form>
  );
}
