'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';

import { useApi } from '@/hooks/useApi';
import { usePathParams } from '@/hooks/usePathParams';
import { useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import type { Client, Order, Page, Portfolio, Trade } from '@/lib/api-types';
import { mergeOrderInto, isOpen, TRADE_TYPE_LABEL } from '@/lib/orders';
import { applyPositionToPositions } from '@/lib/positions';
import { watchClients } from '@/lib/realtime';
import { money, qty, time } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';
import { useQuotesStore } from '@/stores/quotes';

import { ClientForm } from './ClientForm';
import { ClientLimits } from './ClientLimits';
import { CashLedger } from './client/CashLedger';
import { OrderList } from './OrderList';
import { Holdings, Positions, Segments } from './PortfolioTables';
import { PositionChart } from './PositionChart';
import { TestConnection } from './TestConnection';
import {
  Button,
  Card,
  Empty,
  ErrorAlert,
  Loading,
  Modal,
  Pager,
  Pnl,
} from './ui';

const TRADES_PAGE = 25;

/** /clients/{id}: portfolio, live positions, open orders (cancel / modify), risk limits, trade history, edit. */
export function ClientDetail() {
  const params = usePathParams('/clients/[id]');
  const raw = params?.id;
  if (raw === undefined) return <Loading />;
  if (!/^\d+$/.test(raw)) return <ErrorAlert error={`“${raw}” is not a client id.`} />;
  return <ClientView key={raw} id={Number(raw)} />;
}

function ClientView({ id }: { id: number }) {
  const role = useAuthStore((s) => s.user?.role);
  const canEdit = role === 'admin' || role === 'advisor';
  const client = useApi<Client>(`/clients/${id}`);
  const portfolio = useApi<Portfolio>(`/clients/${id}/portfolio`);
  const [tradesOffset, setTradesOffset] = useState(0);
  const trades = useApi<Page<Trade>>(`/trades?client_id=${id}&limit=${TRADES_PAGE}&offset=${tradesOffset}`);
  const [editing, setEditing] = useState(false);
  const [chartToken, setChartToken] = useState<number | null>(null);

  // Its order and position events, also for a client created after the socket connected.
  useEffect(() => watchClients([id]), [id]);

  const positions = portfolio.data?.positions ?? [];
  const holdings = portfolio.data?.holdings ?? [];
  useLiveQuotes([
    ...positions.map((p) => p.token_id),
    ...holdings.flatMap((h) => (h.token_id === null ? [] : [h.token_id])),
  ]);
  const quotes = useQuotesStore((s) => s.quotes);

  // Fills change cash, margin and realised P&L: reload the portfolio (and trades) shortly after.
  const reloadPortfolio = portfolio.reload;
  const reloadTrades = trades.reload;
  const pendingReload = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleReload = () => {
    if (pendingReload.current) clearTimeout(pendingReload.current);
    pendingReload.current = setTimeout(() => {
      pendingReload.current = null;
      reloadPortfolio();
      reloadTrades();
    }, 600);
  };
  useEffect(() => () => {
    if (pendingReload.current) clearTimeout(pendingReload.current);
  }, []);

  const setPortfolio = portfolio.setData;
  useRealtimeEvent('position_update', (u) => {
    if (u.client_id !== id) return;
    setPortfolio((p) => (p ? { ...p, positions: applyPositionToPositions(p.positions, u, undefined) } : p));
    scheduleReload();
  });
  const onOrder = (o: Order) => {
    if (o.client_id !== id) return;
    setPortfolio((p) => {
      if (!p) return p;
      const merged = mergeOrderInto(p.open_orders, o);
      let open = merged ?? (isOpen(o.status) ? [o, ...p.open_orders] : p.open_orders);
      open = open.filter((x) => isOpen(x.status) || x.status === 'PENDING' || x.status === 'FAILED');
      return { ...p, open_orders: open };
    });
    if (o.filled_quantity > 0 || o.status === 'FILLED') scheduleReload();
  };
  useRealtimeEvent('order_update', onOrder);

  const name = client.data?.display_name ?? `Client ${id}`;
  const summary = portfolio.data?.summary ?? client.data?.summary ?? null;

  return (
    <div className="space-y-4" data-testid="client-detail">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <Link href="/clients" className="inline-flex min-h-11 items-center text-sm text-slate-600 hover:underline">
            ← Clients
          </Link>
          <h1 className="text-xl font-semibold tracking-tight break-words">{name}</h1>
          {client.data && (
            <p className="text-sm text-slate-500">
              {client.data.broker} · {client.data.broker_client_id}
              {!client.data.is_active && ' · inactive'}
            </p>
          )}
        </div>
        {canEdit && client.data && (
          <div className="flex flex-wrap items-start gap-2">
            <TestConnection clientId={id} />
            <Button variant="secondary" onClick={() => setEditing(true)} data-testid="edit-client">
              Edit client
            </Button>
          </div>
        )}
      </div>

      {client.error && <ErrorAlert error={client.error} onRetry={client.reload} />}

      <Card>
        <h2 className="mb-3 text-base font-semibold">Portfolio</h2>
        {portfolio.error && <ErrorAlert error={portfolio.error} onRetry={portfolio.reload} />}
        {portfolio.loading && !portfolio.data && <Loading />}
        {portfolio.data && !summary && (
          <ErrorAlert error={client.data?.summary_error ?? 'The broker did not report funds for this client.'} />
        )}
        {summary && (
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="portfolio-summary">
            {(
              [
                ['Cash', money(summary.cash)],
                ['Margin used', money(summary.margin_used)],
                ['Margin available', money(summary.margin_available)],
                ['Realised P&L', <Pnl key="r" value={summary.realised_pnl} />],
                ['Unrealised P&L', <Pnl key="u" value={summary.unrealised_pnl} />],
                ['Open positions', String(summary.open_positions)],
              ] as const
            ).map(([label, value]) => (
              <div key={label} className="rounded-lg bg-slate-50 p-3">
                <dt className="text-xs text-slate-500">{label}</dt>
                <dd className="mt-0.5 font-semibold tabular-nums">{value}</dd>
              </div>
            ))}
          </dl>
        )}
        {summary && summary.segments && summary.segments.length > 0 && <Segments segments={summary.segments} />}
      </Card>

      <Card>
        <h2 className="mb-2 text-base font-semibold">Positions</h2>
        {portfolio.data && positions.length === 0 && <Empty>No positions.</Empty>}
        {positions.length > 0 && (
          <Positions positions={positions} ltps={(t) => quotes[t]?.ltp} chartToken={chartToken} onChart={setChartToken} />
        )}
      </Card>

      {chartToken !== null && (
        <PositionChart
          tokenId={chartToken}
          positions={positions}
          openOrders={portfolio.data?.open_orders ?? []}
          onClose={() => setChartToken(null)}
        />
      )}

      <Card>
        <h2 className="mb-2 text-base font-semibold">Holdings</h2>
        <p className="mb-2 text-xs text-slate-500">
          Shares in the demat account. A delivery buy joins them on the next trading day (T+1); until then it is a
          position.
        </p>
        {portfolio.data && holdings.length === 0 && <Empty>No holdings.</Empty>}
        {holdings.length > 0 && <Holdings holdings={holdings} ltps={(t) => quotes[t]?.ltp} />}
      </Card>

      <Card>
        <h2 className="mb-2 text-base font-semibold">Open orders</h2>
        {portfolio.data && portfolio.data.open_orders.length === 0 && <Empty>No open orders.</Empty>}
        {portfolio.data && portfolio.data.open_orders.length > 0 && (
          <OrderList
            orders={portfolio.data.open_orders}
            showClient={false}
            canAct={canEdit}
            onChanged={onOrder}
            testId="open-orders"
          />
        )}
      </Card>

      {canEdit && <ClientLimits clientId={id} clientName={name} canEdit={role === 'admin'} />}

      <CashLedger clientId={id} canEdit={canEdit} />

      <Card>
        <h2 className="mb-2 text-base font-semibold">Trade history</h2>
        {trades.error && <ErrorAlert error={trades.error} onRetry={trades.reload} />}
        {trades.loading && !trades.data && <Loading />}
        {trades.data && trades.data.items.length === 0 && <Empty>No trades yet.</Empty>}
        {trades.data && trades.data.items.length > 0 && (
          <>
            <ul className="divide-y divide-slate-100" data-testid="trades">
              {trades.data.items.map((t) => (
                <li key={t.id} className="grid grid-cols-2 gap-x-3 gap-y-0.5 px-2 py-2 text-sm md:grid-cols-5 md:items-center">
                  <span className="text-xs text-slate-500 md:text-sm md:text-slate-700">{time(t.executed_at)}</span>
                  <span className="text-right md:text-left">
                    <span className={t.side === 'BUY' ? 'font-semibold text-emerald-700' : 'font-semibold text-red-700'}>
                      {t.side}
                    </span>{' '}
                    {t.symbol}
                  </span>
                  <span className="text-slate-500">{TRADE_TYPE_LABEL[t.trade_type]}</span>
                  <span className="text-right tabular-nums">{qty(t.quantity)}</span>
                  <span className="col-span-2 text-right tabular-nums md:col-span-1">@ {money(t.price)}</span>
                </li>
              ))}
            </ul>
            <Pager
              offset={tradesOffset}
              limit={TRADES_PAGE}
              total={trades.data.total}
              onOffset={setTradesOffset}
            />
          </>
        )}
      </Card>

      {client.data && (
        <Modal open={editing} onClose={() => setEditing(false)} title={`Edit ${name}`} testId="edit-client-dialog">
          <ClientForm
            client={client.data}
            onCancel={() => setEditing(false)}
            onSaved={(c) => {
              client.setData(() => c);
              setEditing(false);
            }}
          />
        </Modal>
      )}
    </div>
  );
}
