'use client';

import { useState } from 'react';

import { useApi } from '@/hooks/useApi';
import { useRealtimeEvent } from '@/hooks/useRealtime';
import type { Client, Instrument, Order, Page } from '@/lib/api-types';
import {
  emptyOrderFilters,
  matchesFilters,
  mergeOrderInto,
  ORDER_STATUSES,
  ordersPath,
  STATUS_LABEL,
  type OrderFilters,
} from '@/lib/orders';
import { useAuthStore } from '@/stores/auth';

import { OrderList } from './OrderList';
import { TokenSearch } from './TokenSearch';
import { Button, Card, Empty, ErrorAlert, inputClass, Loading, PageTitle, Pager } from './ui';

const PAGE = 50;

/** /orders: the order book across the clients the user may see, filtered, paginated, live. */
export function OrdersBook() {
  const role = useAuthStore((s) => s.user?.role);
  const canAct = role === 'admin' || role === 'advisor';
  const [filters, setFilters] = useState<OrderFilters>(emptyOrderFilters);
  const [token, setToken] = useState<Instrument | null>(null);
  const [offset, setOffset] = useState(0);
  const [showFilters, setShowFilters] = useState(false);
  const activeFilters = Object.values(filters).filter((v) => v !== '').length;
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const clients = useApi<Page<Client>>('/clients?limit=1000&include_inactive=true');
  const orders = useApi<Page<Order>>(ordersPath(filters, PAGE, offset));

  const set = (patch: Partial<OrderFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setOffset(0);
    setFresh(new Set());
  };

  const setOrders = orders.setData;
  const onOrder = (o: Order) => {
    const known = orders.data?.items.some((x) => x.id === o.id) ?? false;
    if (known) {
      setOrders((page) => {
        const merged = page && mergeOrderInto(page.items, o);
        return page && merged ? { ...page, items: merged } : page;
      });
    } else if (matchesFilters(o, filters)) {
      setFresh((ids) => (ids.has(o.id) ? ids : new Set(ids).add(o.id)));
    }
  };
  useRealtimeEvent('order_update', onOrder);

  const showFresh = () => {
    setFresh(new Set());
    setOffset(0);
    orders.reload();
  };

  return (
    <div>
      <PageTitle>Orders{orders.data ? ` (${orders.data.total})` : ''}</PageTitle>

      <Card className="mb-4">
        {/* On a phone the filters fold away behind one button so the orders come first. */}
        <Button
          variant="secondary"
          className="w-full sm:hidden"
          aria-expanded={showFilters}
          aria-controls="order-filters"
          onClick={() => setShowFilters((v) => !v)}
        >
          Filters{activeFilters > 0 ? ` (${activeFilters})` : ''} {showFilters ? '▲' : '▼'}
        </Button>
        <div
          id="order-filters"
          className={`${showFilters ? 'mt-3 grid' : 'hidden'} gap-3 sm:mt-0 sm:grid sm:grid-cols-2 lg:grid-cols-5`}
          data-testid="order-filters"
        >
          <div>
            <label htmlFor="of-client" className="mb-1 block text-sm font-medium">
              Client
            </label>
            <select
              id="of-client"
              value={filters.client_id}
              onChange={(e) => set({ client_id: e.target.value })}
              className={inputClass}
            >
              <option value="">All clients</option>
              {(clients.data?.items ?? []).map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.display_name}
                </option>
              ))}
            </select>
          </div>
          <div>
            {token ? (
              <>
                <span className="mb-1 block text-sm font-medium">Instrument</span>
                <div className="flex gap-2">
                  <span className="flex min-h-11 flex-1 items-center rounded-lg border border-slate-300 bg-slate-50 px-3 text-sm font-medium">
                    {token.symbol}
                  </span>
                  <Button
                    variant="secondary"
                    aria-label="Any instrument"
                    onClick={() => {
                      setToken(null);
                      set({ token_id: '' });
                    }}
                  >
                    ✕
                  </Button>
                </div>
              </>
            ) : (
              <TokenSearch
                label="Instrument"
                placeholder="Any"
                testId="orders-token-search"
                onSelect={(i) => {
                  setToken(i);
                  set({ token_id: String(i.token_id) });
                }}
              />
            )}
          </div>
          <div>
            <label htmlFor="of-status" className="mb-1 block text-sm font-medium">
              Status
            </label>
            <select id="of-status" value={filters.status} onChange={(e) => set({ status: e.target.value })} className={inputClass}>
              <option value="">Any status</option>
              {ORDER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="of-from" className="mb-1 block text-sm font-medium">
              From (IST)
            </label>
            <input
              id="of-from"
              type="date"
              value={filters.date_from}
              max={filters.date_to || undefined}
              onChange={(e) => set({ date_from: e.target.value })}
              className={inputClass}
            />
          </div>
          <div>
            <label htmlFor="of-to" className="mb-1 block text-sm font-medium">
              To (IST)
            </label>
            <input
              id="of-to"
              type="date"
              value={filters.date_to}
              min={filters.date_from || undefined}
              onChange={(e) => set({ date_to: e.target.value })}
              className={inputClass}
            />
          </div>
        </div>
        <div className={`${showFilters ? 'flex' : 'hidden'} mt-3 justify-end sm:flex`}>
          <Button
            variant="ghost"
            onClick={() => {
              setToken(null);
              set(emptyOrderFilters());
            }}
          >
            Reset filters
          </Button>
        </div>
      </Card>

      <Card>
        {fresh.size > 0 && (
          <div className="mb-3 flex flex-wrap items-center justify-between gap-2 rounded-lg bg-sky-50 px-3 py-2 text-sm text-sky-900">
            <span>
              {fresh.size} new order{fresh.size === 1 ? '' : 's'} since this page loaded.
            </span>
            <Button variant="secondary" onClick={showFresh} data-testid="orders-show-new">
              Show
            </Button>
          </div>
        )}
        {orders.error && <ErrorAlert error={orders.error} onRetry={orders.reload} />}
        {orders.loading && !orders.data && <Loading>Loading orders…</Loading>}
        {orders.data && orders.data.items.length === 0 && <Empty testId="orders-empty">No orders match.</Empty>}
        {orders.data && orders.data.items.length > 0 && (
          <>
            <OrderList orders={orders.data.items} canAct={canAct} onChanged={onOrder} testId="orders" />
            <Pager offset={offset} limit={PAGE} total={orders.data.total} onOffset={setOffset} />
          </>
        )}
      </Card>
    </div>
  );
}
