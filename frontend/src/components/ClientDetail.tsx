'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';

import { useApi } from '@/hooks/useApi';
import { usePathParams } from '@/hooks/usePathParams';
import { useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import type { Client, Holding, Order, Page, Portfolio, Position, SegmentFunds, Trade } from '@/lib/api-types';
import { mergeOrderInto, isOpen, TRADE_TYPE_LABEL } from '@/lib/orders';
import { applyPositionToPositions, livePnl } from '@/lib/positions';
import { watchClients } from '@/lib/realtime';
import { useAuthStore } from '@/stores/auth';
import { useQuotesStore } from '@/stores/quotes';

import { ClientForm } from './ClientForm';
import { ClientLimits } from './ClientLimits';
import { OrderList } from './OrderList';
import { TestConnection } from './TestConnection';
import {
  Button,
  buttonClass,
  Card,
  Empty,
  ErrorAlert,
  Loading,
  Modal,
  money,
  Pager,
  Pnl,
  qty,
  time,
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
        {positions.length > 0 && <Positions positions={positions} ltps={(t) => quotes[t]?.ltp} />}
      </Card>

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

function Positions({ positions, ltps }: { positions: readonly Position[]; ltps: (tokenId: number) => string | undefined }) {
  const cols = 'md:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)_minmax(0,1.1fr)_minmax(0,1.1fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_auto]';
  return (
    <div data-testid="positions">
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${cols}`}>
        <span>Instrument</span>
        <span className="text-right">Net qty</span>
        <span className="text-right">Avg price</span>
        <span className="text-right">LTP</span>
        <span className="text-right">Unrealised</span>
        <span className="text-right">Realised</span>
        <span />
      </div>
      <ul className="divide-y divide-slate-100">
        {positions.map((p) => {
          const ltp = ltps(p.token_id) ?? p.last_price ?? undefined;
          return (
            <li
              key={`${p.token_id}-${p.trade_type}`}
              data-testid="position-row"
              className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-3 text-sm ${cols} md:items-center`}
            >
              <span className="min-w-0">
                <span className="font-medium">{p.symbol}</span>
                <span className="block text-xs text-slate-500">{TRADE_TYPE_LABEL[p.trade_type as keyof typeof TRADE_TYPE_LABEL] ?? p.trade_type}</span>
              </span>
              <span className="text-right tabular-nums">{qty(p.net_quantity)}</span>
              <span className="tabular-nums md:text-right">
                <span className="text-xs text-slate-500 md:hidden">Avg </span>
                {money(p.average_price)}
              </span>
              <span className="text-right tabular-nums">
                <span className="text-xs text-slate-500 md:hidden">LTP </span>
                {money(ltp)}
              </span>
              <span className="md:text-right">
                <span className="text-xs text-slate-500 md:hidden">Unrealised </span>
                <Pnl value={livePnl(p, ltp)} testId="position-unrealised" />
              </span>
              <span className="text-right">
                <span className="text-xs text-slate-500 md:hidden">Realised </span>
                <Pnl value={p.realised_pnl} />
              </span>
              <span className="col-span-2 md:col-span-1 md:text-right">
                {p.net_quantity !== 0 && (
                  <Link href={`/exit/${p.token_id}`} className={buttonClass('secondary', 'w-full md:w-auto')}>
                    Exit
                  </Link>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const SEGMENT_LABEL: Record<SegmentFunds['segment'], string> = { CASH: 'Cash (equity)', FO: 'F&O' };

function Segments({ segments }: { segments: readonly SegmentFunds[] }) {
  return (
    <table className="mt-3 w-full text-sm" data-testid="portfolio-segments">
      <thead>
        <tr className="text-xs text-slate-500">
          <th className="py-1 text-left font-medium">Margin by segment</th>
          <th className="py-1 text-right font-medium">Available</th>
          <th className="py-1 text-right font-medium">Used</th>
        </tr>
      </thead>
      <tbody>
        {segments.map((s) => (
          <tr key={s.segment} data-testid="segment-row" data-segment={s.segment} className="border-t border-slate-100">
            <td className="py-1">{SEGMENT_LABEL[s.segment] ?? s.segment}</td>
            <td className="py-1 text-right tabular-nums">{money(s.available)}</td>
            <td className="py-1 text-right tabular-nums">{money(s.used)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Holdings({ holdings, ltps }: { holdings: readonly Holding[]; ltps: (tokenId: number) => string | undefined }) {
  const cols = 'md:grid-cols-[minmax(0,1.5fr)_minmax(0,1fr)_minmax(0,1.1fr)_minmax(0,1.1fr)_minmax(0,1.2fr)_auto]';
  return (
    <div data-testid="holdings">
      <div className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${cols}`}>
        <span>Instrument</span>
        <span className="text-right">Qty</span>
        <span className="text-right">Avg cost</span>
        <span className="text-right">LTP</span>
        <span className="text-right">P&amp;L</span>
        <span />
      </div>
      <ul className="divide-y divide-slate-100">
        {holdings.map((h) => {
          const ltp = (h.token_id === null ? undefined : ltps(h.token_id)) ?? h.last_price ?? undefined;
          const pnl = livePnl({ net_quantity: h.quantity, average_price: h.average_price, unrealised_pnl: h.unrealised_pnl }, ltp);
          return (
            <li
              key={`${h.token_id ?? h.symbol}`}
              data-testid="holding-row"
              className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-3 text-sm ${cols} md:items-center`}
            >
              <span className="min-w-0">
                <span className="font-medium">{h.symbol}</span>
                {h.exchange && <span className="block text-xs text-slate-500">{h.exchange} · Delivery</span>}
              </span>
              <span className="text-right tabular-nums">{qty(h.quantity)}</span>
              <span className="tabular-nums md:text-right">
                <span className="text-xs text-slate-500 md:hidden">Avg </span>
                {money(h.average_price)}
              </span>
              <span className="text-right tabular-nums">
                <span className="text-xs text-slate-500 md:hidden">LTP </span>
                {money(ltp)}
              </span>
              <span className="md:text-right">
                <span className="text-xs text-slate-500 md:hidden">P&amp;L </span>
                <Pnl value={pnl} testId="holding-pnl" />
              </span>
              <span className="col-span-2 md:col-span-1 md:text-right">
                {h.token_id !== null && (
                  <Link href={`/exit/${h.token_id}`} className={buttonClass('secondary', 'w-full md:w-auto')}>
                    Exit
                  </Link>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
