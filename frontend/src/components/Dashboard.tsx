'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApi } from '@/hooks/useApi';
import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { useBatch, useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { api } from '@/lib/api';
import { allocationLabel, isSized, toExecuteBody } from '@/lib/allocation';
import type { BatchRow, Client, Holder, Instrument, OrderType, Page, TradeType } from '@/lib/api-types';
import { isClosed } from '@/lib/market-status';
import { summarise } from '@/lib/order-summary';
import { needsPrice, needsTrigger, ORDER_TYPES, TRADE_TYPES } from '@/lib/orders';
import { applyPositionToHolders } from '@/lib/positions';
import { orderFormSchema, type OrderFormValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';
import { batchRows, batchTotals } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRiskStore } from '@/stores/risk';

import { AllocationPicker, useAllocationPicker } from './AllocationPicker';
import { DeskActionBar } from './DeskActionBar';
import { FillAll } from './FillAll';
import { DeskChart } from './DeskChart';
import { DESK_GRID_COLS, DeskClientRow, type QuantityCell } from './DeskClientRow';
import { ExecuteConfirmDialog, type PendingOrder } from './ExecuteConfirmDialog';
import { LivePrice } from './LivePrice';
import { AmoChoice } from './market/AmoChoice';
import { useMarketStatus } from './market/MarketStatus';
import { TokenSearch } from './TokenSearch';
import {
  Card,
  Empty,
  ErrorAlert,
  FieldError,
  inputClass,
  Loading,
  Segmented,
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
  const market = useMarketStatus('NSE', canTrade);
  const [amo, setAmo] = useState(false);
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
  const picker = useAllocationPicker();
  const perClient = picker.values.mode === 'per_client';
  const perClientRef = useRef(perClient);
  perClientRef.current = perClient;

  const resolver = useMemo<Resolver<OrderFormValues>>(
    () => async (values, context, options) => {
      const current = instrumentRef.current;
      if (!current) {
        return { values: {}, errors: { root: { type: 'instrument', message: 'Choose an instrument first' } } };
      }
      return zodResolver(orderFormSchema(current, { perClient: perClientRef.current }))(values, context, options);
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

  const [confirm, setConfirm] = useState<PendingOrder | null>(null);

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

  const fillAll = (quantity: string) =>
    getValues('allocations').forEach((_, i) =>
      setValue(`allocations.${i}.quantity`, quantity, { shouldValidate: formState.isSubmitted }),
    );

  const clearAll = () => {
    getValues('allocations').forEach((_, i) => setValue(`allocations.${i}.quantity`, ''));
    clearErrors('allocations');
  };

  const onValid = async (values: OrderFormValues) => {
    const sizing = await picker.check();
    if (!sizing || !instrument) return;
    batchSubmit.clearError();
    const terms = toExecuteBody(instrument.token_id, values, sizing);
    const body = amo && isClosed(market.status) ? { ...terms, amo: true } : terms;
    setConfirm({ values, summary: summarise(values, ltp), body, needsPreview: isSized(sizing.mode) });
  };

  // A refusal about the allocation (no price to size by, an empty group, a percent out of range) is shown
  // beside the picker's field, where it is fixed; the dialog closes so that field is in view.
  const refused = (err: unknown) => {
    if (picker.showServerError(err)) setConfirm(null);
  };
  const executeError = batchSubmit.error;
  useEffect(() => {
    if (executeError && picker.showServerError(executeError)) {
      batchSubmit.clearError();
      setConfirm(null);
    }
    // Once per refusal of execute-all.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [executeError]);

  const send = async () => {
    if (!confirm) return;
    setSentOrderType(confirm.values.order_type);
    // The very body the preview showed; the hook keeps one Idempotency-Key per body across retries.
    const batchResult = await batchSubmit.submit(confirm.body);
    if (batchResult) setConfirm(null);
  };

  const groupMembers = new Map(
    picker.groupList.find((g) => String(g.id) === picker.values.group_id)?.members.map((m) => [m.client_id, m.multiplier]) ?? [],
  );
  const cellFor = (c: Client, i: number): QuantityCell =>
    executing
      ? { kind: 'status', rows: rowsByClient.get(c.id) ?? [] }
      : perClient
        ? {
            kind: 'input',
            field: register(`allocations.${i}.quantity`),
            error: errors.allocations?.[i]?.quantity?.message,
            typed: allocations[i]?.quantity ?? '',
            disabled: !canTrade || !instrument,
          }
        : picker.values.mode === 'clients'
          ? {
              kind: 'pick',
              checked: picker.values.client_ids.includes(c.id),
              onChange: (on) => picker.toggleClient(c.id, on),
              disabled: !c.is_active || !canTrade,
            }
          : { kind: 'group', multiplier: groupMembers.get(c.id) ?? null };

  const newOrder = () => {
    batchSubmit.reset();
    setRetryId(null);
    reset({ ...getValues(), allocations: getValues('allocations').map((a) => ({ ...a, quantity: '' })) });
  };

  const allocationsError =
    (errors.allocations as { message?: string } | undefined)?.message ?? errors.allocations?.root?.message;
  const lot = instrument?.lot_size ?? 1;
  const pickerError = Object.keys(picker.form.formState.errors).length > 0 ? 'Check the allocation above.' : undefined;
  const formError = (perClient ? allocationsError : pickerError) ?? errors.root?.message;

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
            {canTrade && <AmoChoice value={amo} onChange={setAmo} status={market.status} />}
            {!canTrade && <p className="text-sm text-slate-500">Read-only: viewers cannot place orders.</p>}
          </fieldset>
        </Card>
      </div>

      {instrument && <DeskChart instrument={instrument} holders={holders.data} />}

      {canTrade && (
        <AllocationPicker
          picker={picker}
          disabled={executing}
          lotSize={lot}
          clientIds={clientList.filter((c) => c.is_active).map((c) => c.id)}
        />
      )}

      <Card data-testid="client-grid">
        <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
          <div>
            <h2 className="text-base font-semibold">
              Clients{clients.data ? ` (${clients.data.total})` : ''}
            </h2>
            <p className="text-xs text-slate-500">
              {!instrument
                ? 'Choose an instrument to see positions and enter quantities.'
                : perClient
                  ? `Quantity per client in multiples of ${lot} (lot size); 0 or empty skips the client.`
                  : picker.values.mode === 'clients'
                    ? 'Tick the clients to include; the server sizes each order, shown in the preview.'
                    : 'The group’s members are marked; the server sizes each order, shown in the preview.'}
            </p>
          </div>
          {canTrade && !executing && perClient && clientList.length > 0 && (
            <FillAll lotSize={instrument ? instrument.lot_size : null} onFill={fillAll} onClear={clearAll} />
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
            <div
              className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${DESK_GRID_COLS}`}
            >
              <span>Client</span>
              <span className="text-right">Cash</span>
              <span className="text-right">Margin available</span>
              <span className="text-right">Position</span>
              <span>{executing ? 'Status' : 'Quantity'}</span>
            </div>
            <ul className="divide-y divide-slate-100">
              {clientList.map((c, i) => (
                <DeskClientRow
                  key={c.id}
                  client={c}
                  holders={holdersByClient.get(c.id) ?? []}
                  hasInstrument={instrument !== null}
                  lot={lot}
                  cell={cellFor(c, i)}
                />
              ))}
            </ul>
          </div>
        )}
      </Card>

      <DeskActionBar
        batch={batch}
        executing={executing}
        batchDone={batchDone}
        retryPriced={sentOrderType !== null && needsPrice(sentOrderType)}
        tickSize={instrument?.tick_size ?? '0.05'}
        onRetried={setRetryId}
        onNewOrder={newOrder}
        summary={
          perClient ? (
            <>
              <span className="font-medium">{summary.clients}</span> clients ·{' '}
              <span className="font-medium tabular-nums">{qty(summary.quantity)}</span> qty · est.{' '}
              <span className="font-medium tabular-nums">{summary.value ? money(summary.value) : '—'}</span>
            </>
          ) : (
            <span className="font-medium">{allocationLabel(picker.groupName, picker.values)}</span>
          )
        }
        formError={formError}
        sell={execution === 'SELL'}
        canExecute={canTrade && instrument !== null && !(perClient && clientList.length === 0)}
      />

      <ExecuteConfirmDialog
        pending={confirm}
        instrument={instrument}
        ltp={ltp}
        names={clientNames}
        submitting={batchSubmit.submitting}
        error={batchSubmit.error}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void send()}
        onPreviewRefused={refused}
      />
    </form>
  );
}
