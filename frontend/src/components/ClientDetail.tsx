'use client';

import Link from 'next/link';
import { useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { useClientChanges } from '@/hooks/useClientChanges';
import { usePathParams } from '@/hooks/usePathParams';
import { useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { Client, Order, Portfolio, PortfolioSummary } from '@/lib/api-types';
import { portfolioFigures } from '@/lib/clients';
import { money, qty, time } from '@/lib/format';
import { isOpen, mergeOrderInto, TRADE_TYPE_LABEL } from '@/lib/orders';
import { applyPositionToPositions } from '@/lib/positions';
import { isRetryable } from '@/lib/retryable';
import { useAuthStore } from '@/stores/auth';
import { useQuotesStore } from '@/stores/quotes';

import { CashLedger } from './client/CashLedger';
import { ClientForm } from './ClientForm';
import { ClientLimits } from './ClientLimits';
import { NotFoundNotice } from './NotFoundNotice';
import { OrderList } from './OrderList';
import { Holdings, Positions, Segments } from './PortfolioTables';
import { PositionChart } from './PositionChart';
import { TestConnection } from './TestConnection';
import { Button, Card, Empty, ErrorAlert, Loading, Modal, Pager, Pnl } from './ui';

const TRADES_PAGE = 25;

/** /clients/{id}: portfolio, live positions, open orders (cancel / modify), risk limits, trade history, edit. */
export function ClientDetail() {
  const params = usePathParams('/clients/[id]');
  const raw = params?.id;
  if (raw === undefined) return <Loading />;
  if (!/^\d+$/.test(raw)) return <ClientNotFound>“{raw}” is not a client number.</ClientNotFound>;
  return <ClientView key={raw} id={Number(raw)} />;
}

function ClientNotFound({ children }: { children: React.ReactNode }) {
  return (
    <NotFoundNotice title="Client not found" backHref="/clients" backLabel="All clients">
      {children}
    </NotFoundNotice>
  );
}

function ClientView({ id }: { id: number }) {
  const role = useAuthStore((s) => s.user?.role);
  const canEdit = role === 'admin' || role === 'advisor';
  const path = { client_id: id };
  const clientData = useApiData(`client:${id}`, (signal) =>
    call(client.GET('/api/v1/clients/{client_id}', { params: { path }, signal })),
  );
  const portfolio = useApiData(`portfolio:${id}`, (signal) =>
    call(client.GET('/api/v1/clients/{client_id}/portfolio', { params: { path }, signal })),
  );
  const [tradesOffset, setTradesOffset] = useState(0);
  const trades = useApiData(`trades:${id}:${tradesOffset}`, (signal) =>
    call(client.GET('/api/v1/trades', { params: { query: { client_id: id, limit: TRADES_PAGE, offset: tradesOffset } }, signal })),
  );
  const [editing, setEditing] = useState(false);
  const [chartToken, setChartToken] = useState<number | null>(null);

  const positions = portfolio.data?.positions ?? [];
  const holdings = portfolio.data?.holdings ?? [];
  useLiveQuotes([
    ...positions.map((p) => p.token_id),
    ...holdings.flatMap((h) => (h.token_id === null ? [] : [h.token_id])),
  ]);
  const quotes = useQuotesStore((s) => s.quotes);
  const ltp = (tokenId: number) => quotes[tokenId]?.ltp;

  // Any order or position change moves cash and margin at the broker: read the books again once it settles.
  const reloadPortfolio = portfolio.reload;
  const reloadTrades = trades.reload;
  useClientChanges([id], () => {
    reloadPortfolio();
    reloadTrades();
  });

  // Until that read answers, the tables follow the events themselves.
  const setPortfolio = portfolio.setData;
  useRealtimeEvent('position_update', (u) => {
    if (u.client_id !== id) return;
    setPortfolio((p) => (p ? { ...p, positions: applyPositionToPositions(p.positions, u, undefined) } : p));
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
  };
  useRealtimeEvent('order_update', onOrder);

  if (clientData.error?.status === 404) {
    return <ClientNotFound>There is no client {id}, or it is not one of yours.</ClientNotFound>;
  }
  if (clientData.error) return <ErrorAlert error={clientData.error} onRetry={isRetryable(clientData.error) ? clientData.reload : undefined} />;
  if (!clientData.data) return <Loading>Loading client…</Loading>;

  const c = clientData.data;
  const name = c.display_name;
  return (
    <div className="space-y-3" data-testid="client-detail">
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <div className="flex min-w-0 flex-wrap items-baseline gap-x-3">
          <Link href="/clients" className="inline-flex min-h-11 items-center text-sm text-slate-600 hover:underline">
            ← Clients
          </Link>
          <h1 className="text-xl font-semibold tracking-tight break-words">{name}</h1>
          <p className="text-sm text-slate-500">
            {c.broker} · {c.broker_client_id}
            {!c.is_active && ' · inactive'}
          </p>
        </div>
        {canEdit && (
          <div className="flex flex-wrap items-start gap-2">
            <TestConnection clientId={id} />
            <Button variant="secondary" onClick={() => setEditing(true)} data-testid="edit-client">
              Edit client
            </Button>
          </div>
        )}
      </div>

      <Card>
        {portfolio.error && <ErrorAlert error={portfolio.error} onRetry={isRetryable(portfolio.error) ? portfolio.reload : undefined} />}
        {portfolio.loading && !portfolio.data && <Loading />}
        {portfolio.data && (
          <SummaryCards portfolio={portfolio.data} account={c} ltp={ltp} />
        )}
      </Card>

      <Card>
        <h2 className="mb-1 text-base font-semibold">Positions</h2>
        {portfolio.data && positions.length === 0 && <Empty>No positions.</Empty>}
        {positions.length > 0 && (
          <Positions positions={positions} ltps={ltp} chartToken={chartToken} onChart={setChartToken} />
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

      <div className="space-y-3">
        <Card>
          <h2 className="mb-1 text-base font-semibold">Open orders</h2>
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

        <Card>
          <h2 className="mb-1 text-base font-semibold">Holdings</h2>
          <p className="mb-1 text-xs text-slate-500">
            Shares in the demat account. A delivery buy joins them on the next trading day (T+1); until then it is a
            position.
          </p>
          {portfolio.data && holdings.length === 0 && <Empty>No holdings.</Empty>}
          {holdings.length > 0 && <Holdings holdings={holdings} ltps={ltp} />}
        </Card>
      </div>

      {canEdit && <ClientLimits clientId={id} clientName={name} canEdit={role === 'admin'} />}

      <CashLedger clientId={id} canEdit={canEdit} />

      <Card>
        <h2 className="mb-1 text-base font-semibold">Trade history</h2>
        {trades.error && <ErrorAlert error={trades.error} onRetry={isRetryable(trades.error) ? trades.reload : undefined} />}
        {trades.loading && !trades.data && <Loading />}
        {trades.data && trades.data.items.length === 0 && <Empty>No trades yet.</Empty>}
        {trades.data && trades.data.items.length > 0 && (
          <>
            <ul className="divide-y divide-slate-100" data-testid="trades">
              {trades.data.items.map((t) => (
                <li
                  key={t.id}
                  className="grid grid-cols-2 gap-x-3 gap-y-0.5 px-2 py-1.5 text-sm md:grid-cols-5 md:items-center"
                >
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
            <Pager offset={tradesOffset} limit={TRADES_PAGE} total={trades.data.total} onOffset={setTradesOffset} />
          </>
        )}
      </Card>

      <Modal open={editing} onClose={() => setEditing(false)} title={`Edit ${name}`} testId="edit-client-dialog">
        <ClientForm
          client={c}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            clientData.setData(() => saved);
            setEditing(false);
          }}
        />
      </Modal>
    </div>
  );
}

/**
 * The portfolio's figures, from the same live state as the tables below: P&L and the position count from the
 * positions rows at their live prices; cash and margin from the broker's books, read again after every order
 * or position change.
 */
export function SummaryCards({
  portfolio,
  account,
  ltp,
}: {
  portfolio: Portfolio;
  account: Client;
  ltp: (tokenId: number) => string | undefined;
}) {
  const summary: PortfolioSummary | null = portfolio.summary ?? account.summary ?? null;
  if (!summary) {
    return <ErrorAlert error={account.summary_error ?? 'The broker did not report funds for this client.'} />;
  }
  const figures = portfolioFigures(summary, portfolio.positions, ltp);
  const cards: Array<[string, string, React.ReactNode]> = [
    ['cash', 'Cash', money(figures.cash)],
    ['margin-used', 'Margin used', money(figures.margin_used)],
    ['margin-available', 'Margin available', money(figures.margin_available)],
    ['realised', 'Realised P&L', <Pnl key="r" value={figures.realised_pnl} />],
    ['unrealised', 'Unrealised P&L', <Pnl key="u" value={figures.unrealised_pnl} />],
    ['open-positions', 'Open positions', String(figures.open_positions)],
  ];
  return (
    <>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" data-testid="portfolio-summary">
        {cards.map(([key, label, value]) => (
          <div key={key} className="rounded-lg bg-slate-50 px-3 py-2" data-testid={`summary-${key}`}>
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="font-semibold whitespace-nowrap tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      {summary.segments && summary.segments.length > 0 && <Segments segments={summary.segments} />}
    </>
  );
}
