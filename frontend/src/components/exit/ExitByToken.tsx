'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { useBatchSubmit } from '@/hooks/useBatchSubmit';
import { usePathParams } from '@/hooks/usePathParams';
import { useBatch, useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { BatchRow, ExitByTokenRequest, Holder, Instrument } from '@/lib/api-types';
import { PLAIN_DECIMAL_RE } from '@/lib/decimal';
import { applyPositionToHolders, isPosition } from '@/lib/positions';
import { exitFormSchema, toExitRequest, type ExitFormValues } from '@/lib/validation';
import { qty } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';
import { batchRows, batchTotals } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';

import { BatchProgressSummary } from '../BatchProgressSummary';
import { ClientGrid } from '../desk/ClientGrid';
import { LivePrice } from '../LivePrice';
import { Button, buttonClass, Card, Checkbox, Empty, ErrorAlert, FieldError, inputClass, Loading, Segmented } from '../ui';

import { ExitConfirmDialog } from './ExitConfirmDialog';
import { exitColumns, exitRowAttrs, type ExitClient, type ExitRowContext } from './ExitHolderRow';

/** /exit/{tokenId}: close every selected client's position in one token. */
export function ExitByToken() {
  const params = usePathParams('/exit/[tokenId]');
  const raw = params?.tokenId;
  if (raw === undefined) return <Loading />;
  if (!/^\d+$/.test(raw)) return <ExitNotFound text={`“${raw}” is not a token id.`} />;
  return <ExitLoader key={raw} tokenId={Number(raw)} />;
}

/** One message for a token that does not exist, with the way back: not a spinner, not three copies. */
function ExitNotFound({ text }: { text: string }) {
  return (
    <div className="space-y-3" data-testid="exit-not-found">
      <h1 className="text-xl font-semibold tracking-tight">Exit</h1>
      <p role="alert" className="rounded-lg border border-slate-300 bg-white p-4 text-sm">
        {text}
      </p>
      <Link href="/" className={buttonClass('secondary')}>
        Back to desk
      </Link>
    </div>
  );
}

/** The instrument first: without it there is nothing to exit, and nothing else is asked of the server. */
function ExitLoader({ tokenId }: { tokenId: number }) {
  const instrument = useApiData(`token:${tokenId}`, (signal) =>
    call(client.GET('/api/v1/tokens/{token_id}', { params: { path: { token_id: tokenId } }, signal })),
  );
  if (instrument.error?.status === 404) return <ExitNotFound text={`No instrument has token ${tokenId}.`} />;
  if (instrument.error) return <ErrorAlert error={instrument.error} onRetry={instrument.reload} />;
  if (!instrument.data) return <Loading>Loading the instrument…</Loading>;
  return <ExitForToken instrument={instrument.data} />;
}

const sendExit = (tokenId: number) => (body: ExitByTokenRequest, key: string) =>
  call(
    client.POST('/api/v1/trades/exit-by-token/{token_id}', {
      params: { path: { token_id: tokenId }, header: { 'Idempotency-Key': key } },
      body,
    }),
  );

function ExitForToken({ instrument }: { instrument: Instrument }) {
  const tokenId = instrument.token_id;
  const role = useAuthStore((s) => s.user?.role);
  const canTrade = role === 'admin' || role === 'advisor';
  const holders = useApiData(`holders:${tokenId}`, (signal) =>
    call(client.GET('/api/v1/tokens/{token_id}/holders', { params: { path: { token_id: tokenId } }, signal })),
  );
  useLiveQuotes([tokenId]);
  const ltp = useQuotesStore((s) => s.quotes[tokenId]?.ltp);

  // Everyone who held the token since the page opened stays listed (their position goes to 0).
  const [clients, setClients] = useState<ExitClient[]>([]);
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

  const form = useForm<ExitFormValues>({
    resolver: zodResolver(exitFormSchema(instrument)),
    defaultValues: { order_type: 'MARKET', price: '', client_ids: [] },
  });
  const { register, handleSubmit, setValue, control, formState, clearErrors } = form;
  const orderType = useWatch({ control, name: 'order_type' });
  const price = useWatch({ control, name: 'price' });
  useEffect(() => {
    setValue('client_ids', selectedIds, { shouldValidate: formState.isSubmitted });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the ids' content
  }, [selectedIds.join(','), setValue]);

  const batchSubmit = useBatchSubmit(sendExit(tokenId));
  const batch = useBatch(batchSubmit.batchId);
  const totals = batchTotals(batch);
  const batchDone = batch != null && (batch.status === 'COMPLETED' || (totals.total > 0 && totals.closed === totals.total));
  const executing = batchSubmit.batchId !== null;
  const reloadHolders = holders.reload;
  useEffect(() => {
    if (batchDone) reloadHolders();
  }, [batchDone, reloadHolders]);

  // Once every row has its verdict, the batch as the server has it: its rows carry each exit's realised P&L,
  // which the live row updates do not.
  const sentId = batchSubmit.batchId;
  const finished = useApiData(batchDone && sentId !== null ? `exit-batch:${sentId}` : null, (signal) =>
    call(client.GET('/api/v1/batches/{batch_id}', { params: { path: { batch_id: sentId ?? 0 } }, signal })),
  );
  const rowsByClient = useMemo(() => {
    const map = new Map<number, BatchRow[]>();
    for (const r of finished.data?.rows ?? batchRows(batch)) map.set(r.client_id, [...(map.get(r.client_id) ?? []), r]);
    return map;
  }, [batch, finished.data]);

  const [confirm, setConfirm] = useState<ExitFormValues | null>(null);

  const exitQty = (ids: readonly number[]) =>
    ids.reduce((sum, id) => sum + (byClient.get(id) ?? []).reduce((s, h) => s + Math.abs(h.net_quantity), 0), 0);
  const estimatePrice =
    orderType === 'LIMIT' ? (PLAIN_DECIMAL_RE.test(price.trim()) ? price.trim() : null) : (ltp ?? null);

  const send = async () => {
    if (!confirm) return;
    const result = await batchSubmit.submit(toExitRequest(confirm));
    if (result) setConfirm(null);
  };

  const symbol = instrument.symbol;
  const allSelected = clients.length > 0 && clients.every((c) => !byClient.has(c.client_id) || !deselected.has(c.client_id));
  const ctx: ExitRowContext = {
    own: (id) => byClient.get(id) ?? [],
    rows: (id) => rowsByClient.get(id) ?? [],
    ltp,
    selectable: (id) => canTrade && !executing && byClient.has(id),
    checked: (id) => byClient.has(id) && !deselected.has(id),
    executing,
    readError: (id) => unreadable.get(id),
    onToggle: (id, on) =>
      setDeselected((prev) => {
        const next = new Set(prev);
        if (on) next.delete(id);
        else next.add(id);
        return next;
      }),
  };

  return (
    <form
      noValidate
      data-testid="exit-page"
      onSubmit={handleSubmit((v) => {
        batchSubmit.clearError();
        setConfirm(v);
      })}
      className="space-y-3"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Exit {symbol}</h1>
        <Link href={`/?token=${tokenId}`} className={buttonClass('secondary')}>
          Back to desk
        </Link>
      </div>

      <div className="grid gap-3 lg:grid-cols-2">
        <Card>
          <LivePrice instrument={instrument} />
        </Card>
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
                  placeholder={`tick ${instrument.tick_size}`}
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
        <h2 className="mb-2 text-base font-semibold">Clients holding {symbol}</h2>
        {holders.error && <ErrorAlert error={holders.error} onRetry={holders.reload} />}
        {holders.loading && !holders.data && <Loading>Loading positions…</Loading>}
        {holders.data && clients.length === 0 && <Empty testId="exit-empty">No client holds {symbol}.</Empty>}
        {clients.length > 0 && (
          <ClientGrid
            columns={exitColumns(ctx)}
            rows={clients}
            rowKey={(c) => c.client_id}
            rowAttrs={exitRowAttrs}
            filterText={(c) => c.client_name}
            testId="exit-grid"
            rowTestId="exit-row"
            toolbar={
              canTrade &&
              !executing &&
              byClient.size > 0 && (
                <span className="inline-flex items-center text-sm">
                  <Checkbox
                    label="Select all"
                    testId="exit-select-all"
                    checked={allSelected}
                    onChange={(on) => setDeselected(on ? new Set() : new Set(clients.map((c) => c.client_id)))}
                  />
                  Select all
                </span>
              )
            }
          />
        )}
        {executing && batchDone && byClient.size === 0 && (
          <p className="mt-3 text-sm text-emerald-700" data-testid="exit-all-closed">
            Every position in {symbol} is closed.
          </p>
        )}
      </Card>

      <div className="sticky bottom-(--tabbar-offset) z-10 -mx-4 border-t border-slate-200 bg-white/95 px-4 py-3 shadow-[0_-4px_12px_rgba(15,23,42,0.06)] backdrop-blur sm:mx-0 sm:rounded-xl sm:border">
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
              disabled={!canTrade || selectedIds.length === 0}
            >
              Exit selected
            </Button>
          </div>
        )}
      </div>

      <ExitConfirmDialog
        symbol={symbol}
        pending={confirm}
        clients={clients}
        own={(id) => byClient.get(id) ?? []}
        price={estimatePrice}
        submitting={batchSubmit.submitting}
        error={batchSubmit.error}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void send()}
      />
    </form>
  );
}
