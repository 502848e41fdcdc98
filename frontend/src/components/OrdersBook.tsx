'use client';

import { useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { Instrument, Order } from '@/lib/api-types';
import { cancelEach, ordersQuery, type CancelResult } from '@/lib/order-book';
import { emptyOrderFilters, isOpen, matchesFilters, mergeOrderInto, ORDER_STATUSES, STATUS_LABEL, type OrderFilters } from '@/lib/orders';
import { useAuthStore } from '@/stores/auth';

import { DateRangeFilter } from './form/DateRangeFilter';
import { Field } from './form/Field';
import { FilterPanel } from './form/FilterPanel';
import { MultiCancel } from './MultiCancel';
import { OrderList } from './OrderList';
import { TokenSearch } from './TokenSearch';
import { Button, Card, Empty, ErrorAlert, inputClass, Loading, PageTitle, Pager } from './ui';

const PAGE = 50;

/**
 * /orders: the order book across the clients the user may see: filtered, paginated, live, each
 * batch's orders together; open orders can be chosen and cancelled together.
 */
export function OrdersBook() {
  const role = useAuthStore((s) => s.user?.role);
  const canAct = role === 'admin' || role === 'advisor';
  const [filters, setFilters] = useState<OrderFilters>(emptyOrderFilters);
  const [token, setToken] = useState<Instrument | null>(null);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const activeFilters = Object.values(filters).filter((v) => v !== '').length;
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const clients = useApiData('clients:all', (signal) =>
    call(client.GET('/api/v1/clients', { params: { query: { limit: 1000, include_inactive: true } }, signal })),
  );
  const query = ordersQuery(filters, PAGE, offset);
  const orders = useApiData(`orders:${JSON.stringify(query)}`, (signal) =>
    call(client.GET('/api/v1/orders', { params: { query }, signal })),
  );

  const set = (patch: Partial<OrderFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setOffset(0);
    setFresh(new Set());
    setSelected(new Set());
  };

  const setOrders = orders.setData;
  const onOrder = (o: Order) => {
    const known = orders.data?.items.some((x) => x.id === o.id) ?? false;
    if (known) {
      setOrders((page) => {
        const merged = page && mergeOrderInto(page.items, o);
        return page && merged ? { ...page, items: merged } : page;
      });
      // An order that can no longer be cancelled leaves the selection.
      if (!isOpen(o.status)) setSelected((ids) => (ids.has(o.id) ? without(ids, [o.id]) : ids));
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

  const toggle = (ids: readonly number[], on: boolean) =>
    setSelected((current) => (on ? new Set([...current, ...ids]) : without(current, ids)));

  const cancelSelected = async (ids: readonly number[]): Promise<CancelResult[]> => {
    const results = await cancelEach(ids, (id) =>
      call(client.POST('/api/v1/orders/{order_id}/cancel', { params: { path: { order_id: id } } })),
    );
    for (const r of results) if (r.order) onOrder(r.order);
    setSelected((current) => without(current, results.filter((r) => r.ok).map((r) => r.id)));
    return results;
  };

  const visible = orders.data?.items ?? [];
  const chosen = visible.filter((o) => selected.has(o.id));

  return (
    <div>
      <PageTitle>Orders{orders.data ? ` (${orders.data.total})` : ''}</PageTitle>

      <Card className="mb-4">
        <FilterPanel
          id="order-filters"
          testId="order-filters"
          active={activeFilters}
          columns="sm:grid-cols-2 lg:grid-cols-5"
          onReset={() => {
            setToken(null);
            set(emptyOrderFilters());
          }}
        >
          <Field id="of-client" label="Client">
            {(p) => (
              <select {...p} value={filters.client_id} onChange={(e) => set({ client_id: e.target.value })} className={inputClass}>
                <option value="">All clients</option>
                {(clients.data?.items ?? []).map((c) => (
                  <option key={c.id} value={String(c.id)}>
                    {c.display_name}
                  </option>
                ))}
              </select>
            )}
          </Field>
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
          <Field id="of-status" label="Status">
            {(p) => (
              <select {...p} value={filters.status} onChange={(e) => set({ status: e.target.value })} className={inputClass}>
                <option value="">Any status</option>
                {ORDER_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABEL[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <DateRangeFilter
            idPrefix="of"
            testIdPrefix="orders-filter"
            value={{ from: filters.date_from, to: filters.date_to }}
            onChange={({ from, to }) => set({ date_from: from, date_to: to })}
          />
        </FilterPanel>
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
        {canAct && <MultiCancel chosen={chosen} onCancel={cancelSelected} onClear={() => setSelected(new Set())} />}
        {orders.error && <ErrorAlert error={orders.error} onRetry={orders.reload} />}
        {orders.loading && !orders.data && <Loading>Loading orders…</Loading>}
        {orders.data && visible.length === 0 && <Empty testId="orders-empty">No orders match.</Empty>}
        {orders.data && visible.length > 0 && (
          <>
            <OrderList
              orders={visible}
              canAct={canAct}
              onChanged={onOrder}
              testId="orders"
              grouped
              selection={canAct ? { selected, onToggle: toggle } : undefined}
            />
            <Pager
              offset={offset}
              limit={PAGE}
              total={orders.data.total}
              onOffset={(o) => {
                setOffset(o);
                setSelected(new Set());
              }}
            />
          </>
        )}
      </Card>
    </div>
  );
}

function without(ids: ReadonlySet<number>, drop: readonly number[]): ReadonlySet<number> {
  const next = new Set(ids);
  for (const id of drop) next.delete(id);
  return next;
}
