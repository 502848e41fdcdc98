'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { useBatch, useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import { allocationLabel, isSized, toExecuteBody, type ExecuteBody } from '@/lib/allocation';
import type { BatchRow, Client, Holder, Instrument, OrderType, TradeType } from '@/lib/api-types';
import { isClosed } from '@/lib/market-status';
import { estimatePrice, rowErrorsLine, summarise } from '@/lib/order-summary';
import { needsPrice, needsTrigger } from '@/lib/orders';
import { applyPositionToHolders } from '@/lib/positions';
import { loadTerms, saveTerms } from '@/lib/remembered-terms';
import { marginFlag, priceWarnings } from '@/lib/ticket-checks';
import { orderFormSchema, parseQuantity, type OrderFormValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';
import { batchRows, batchTotals } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRiskStore } from '@/stores/risk';

import { AmoChoice } from '../market/AmoChoice';
import { useMarketStatus } from '../market/MarketStatus';
import { DeskActionBar } from './ActionBar';
import { AllocationPicker, useAllocationPicker } from './AllocationPicker';
import { DeskChart } from './DeskChart';
import { type DeskRowContext, type QuantityCell } from './DeskClientRow';
import { DeskClients } from './DeskClients';
import { ExecuteConfirmDialog, type PendingOrder } from './ExecuteConfirmDialog';
import { FillAll } from './FillAll';
import { InstrumentPicker } from './InstrumentPicker';
import { TicketTerms, type ExecutionChoice } from './TicketTerms';

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

const sendExecuteAll = (body: ExecuteBody, key: string) =>
  call(client.POST('/api/v1/orders/execute-all', { body, params: { header: { 'Idempotency-Key': key } } }));

/**
 * The desk: choose an instrument, set the ticket's terms, size the order per client (or by a group or
 * ticked clients), confirm against the server's preview, then follow the batch row by row.
 */
export function Desk() {
  const router = useRouter();
  const user = useAuthStore((s) => s.user);
  const role = user?.role;
  const canTrade = role === 'admin' || role === 'advisor';
  const halted = useRiskStore((s) => s.status?.you_are_halted === true);

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
    call(client.GET('/api/v1/tokens/{token_id}', { params: { path: { token_id: tokenId } } }))
      .then((i) => setInstrument((cur) => cur ?? i))
      .catch((err: unknown) => setInstrumentError(err instanceof Error ? err.message : 'Unknown instrument'));
  }, []);

  const clients = useApiData('clients:1000', (signal) =>
    call(client.GET('/api/v1/clients', { params: { query: { limit: 1000 } }, signal })),
  );
  const tokenId = instrument?.token_id ?? null;
  const holders = useApiData(tokenId === null ? null : `holders:${tokenId}`, (signal) =>
    call(client.GET('/api/v1/tokens/{token_id}/holders', { params: { path: { token_id: tokenId ?? 0 } }, signal })),
  );
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

  // The advisor's last trade type and order type come back after a reload (defect 10).
  const userId = user?.id;
  useEffect(() => {
    if (userId === undefined) return;
    const terms = loadTerms(userId);
    if (terms?.trade_type) setValue('trade_type', terms.trade_type);
    if (terms?.order_type) setValue('order_type', terms.order_type);
  }, [userId, setValue]);

  const clientList = useMemo(() => clients.data?.items ?? [], [clients.data]);
  const clientNames = useMemo(() => new Map(clientList.map((c) => [c.id, c.display_name])), [clientList]);
  const clientIndex = useMemo(() => new Map(clientList.map((c, i) => [c.id, i])), [clientList]);

  // One allocation per client, in the list's order (the grid may show them sorted or filtered).
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
  const trigger = useWatch({ control, name: 'trigger_price' });
  const allocations = useWatch({ control, name: 'allocations' });
  const summary = summarise({ allocations, order_type: orderType, price }, ltp);
  const warnings = priceWarnings({ orderType, price, trigger, ltp });
  const valuePrice = estimatePrice(orderType, price, ltp);

  const batchSubmit = useBatchSubmit(sendExecuteAll);
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

  const remember = (terms: { trade_type: TradeType; order_type: OrderType }) => {
    if (userId !== undefined) saveTerms(userId, terms);
  };

  const onExecution = (v: ExecutionChoice) => {
    if (v === 'EXIT') {
      if (instrument) router.push(`/exit/${instrument.token_id}`);
      return;
    }
    setValue('execution', v, { shouldValidate: formState.isSubmitted });
  };

  const onTradeType = (t: TradeType) => {
    setValue('trade_type', t);
    remember({ trade_type: t, order_type: orderType });
  };

  const onOrderType = (t: OrderType) => {
    setValue('order_type', t);
    remember({ trade_type: tradeType, order_type: t });
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
    setConfirm({
      values,
      summary: summarise(values, ltp),
      body,
      needsPreview: isSized(sizing.mode),
      warnings: priceWarnings({ orderType: values.order_type, price: values.price, trigger: values.trigger_price, ltp }),
    });
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
  const cellFor = (c: Client): QuantityCell => {
    const i = clientIndex.get(c.id) ?? 0;
    return executing
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
  };

  const typedQuantity = (c: Client) => {
    const raw = allocations[clientIndex.get(c.id) ?? -1]?.quantity ?? '';
    return /^\d+$/.test(raw.trim()) ? parseQuantity(raw) : 0;
  };
  const rowContext: DeskRowContext = {
    holders: (id) => holdersByClient.get(id) ?? [],
    hasInstrument: instrument !== null,
    lot: instrument?.lot_size ?? 1,
    executing,
    cell: cellFor,
    marginFlag: (c) =>
      executing || !perClient ? null : marginFlag(execution, valuePrice, typedQuantity(c), c.summary?.margin_available),
  };
  const overMargin = perClient && !executing ? clientList.filter((c) => rowContext.marginFlag(c) !== null) : [];

  const newOrder = () => {
    batchSubmit.reset();
    setRetryId(null);
    reset({ ...getValues(), allocations: getValues('allocations').map((a) => ({ ...a, quantity: '' })) });
  };

  const lot = instrument?.lot_size ?? 1;
  const rowErrors = (errors.allocations ?? []) as ReadonlyArray<{ quantity?: { message?: string } } | undefined>;
  const quantitiesError = rowErrorsLine(
    clientList.map((c, i) => ({ name: c.display_name, message: rowErrors[i]?.quantity?.message })),
  );
  const allocationsError =
    quantitiesError ??
    (errors.allocations as { message?: string } | undefined)?.message ??
    errors.allocations?.root?.message;
  const pickerError = Object.keys(picker.form.formState.errors).length > 0 ? 'Check the allocation above.' : undefined;
  const termsError = errors.trigger_price?.message ?? errors.price?.message;
  const formError = (perClient ? allocationsError : pickerError) ?? (termsError ? `Order terms: ${termsError}` : undefined) ?? errors.root?.message;

  return (
    <form noValidate onSubmit={handleSubmit(onValid)} className="space-y-3 pb-2" data-testid="dashboard">
      <h1 className="sr-only">Desk</h1>

      <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <InstrumentPicker instrument={instrument} error={instrumentError} onSelect={chooseInstrument} />
        <TicketTerms
          instrument={instrument}
          disabled={!canTrade || executing}
          canTrade={canTrade}
          execution={execution}
          tradeType={tradeType}
          orderType={orderType}
          register={register}
          errors={errors}
          warnings={warnings}
          onExecution={onExecution}
          onTradeType={onTradeType}
          onOrderType={onOrderType}
        >
          {canTrade && <AmoChoice value={amo} onChange={setAmo} status={market.status} />}
        </TicketTerms>
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

      <DeskClients
        clients={clients.data ? clientList : undefined}
        total={clients.data?.total}
        loading={clients.loading}
        error={clients.error}
        onReload={clients.reload}
        positionsError={holders.error}
        onReloadPositions={holders.reload}
        hint={
          !instrument
            ? 'Choose an instrument to see positions and enter quantities.'
            : perClient
              ? `Quantity per client in multiples of ${lot} (lot size); 0 or empty skips the client.`
              : picker.values.mode === 'clients'
                ? 'Tick the clients to include; the server sizes each order, shown in the preview.'
                : 'The group’s members are marked; the server sizes each order, shown in the preview.'
        }
        context={rowContext}
        toolbar={
          canTrade &&
          !executing &&
          perClient && <FillAll lotSize={instrument ? instrument.lot_size : null} onFill={fillAll} onClear={clearAll} />
        }
      />

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
              {overMargin.length > 0 && (
                <span className="block text-xs text-amber-800" data-testid="order-summary-margin">
                  {overMargin.length} client{overMargin.length > 1 ? 's' : ''} above available margin
                </span>
              )}
            </>
          ) : (
            <span className="font-medium">{allocationLabel(picker.groupName, picker.values)}</span>
          )
        }
        formError={formError}
        sell={execution === 'SELL'}
        halted={halted}
        canExecute={canTrade && instrument !== null && !(perClient && clientList.length === 0)}
      />

      <ExecuteConfirmDialog
        pending={confirm}
        instrument={instrument}
        ltp={ltp}
        clients={clientList}
        submitting={batchSubmit.submitting}
        error={batchSubmit.error}
        halted={halted}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void send()}
        onPreviewRefused={refused}
      />
    </form>
  );
}
