'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { useClientChanges } from '@/hooks/useClientChanges';
import { useLiveQuotes } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { Client } from '@/lib/api-types';
import {
  CLIENT_SORTS as SORTS,
  filterClients,
  liveClient,
  sortClients,
  type ClientSortKey as SortKey,
} from '@/lib/clients';
import { money } from '@/lib/format';
import { isRetryable } from '@/lib/retryable';
import { useAuthStore } from '@/stores/auth';
import { useQuotesStore } from '@/stores/quotes';

import { ClientForm } from './ClientForm';
import { Button, Card, Empty, ErrorAlert, inputClass, Loading, Modal, Pnl, PageTitle } from './ui';

const COLS = 'md:grid-cols-[minmax(0,2.2fr)_repeat(5,minmax(0,1.1fr))_minmax(0,0.7fr)]';

type Dir = 'asc' | 'desc';
/** Up to this many changed clients are re-read one by one; more, and the whole list is read once. */
const ROW_READS_MAX = 5;

/**
 * /clients: every visible client as a sortable, filterable grid whose amounts are live. Unrealised P&L is
 * repriced at each tick from the summary's open positions; an order or position event of a client re-reads
 * that client's row (cash and margin move when an order is placed, filled or cancelled).
 */
export function ClientsList() {
  const role = useAuthStore((s) => s.user?.role);
  const canEdit = role === 'admin' || role === 'advisor';
  const clients = useApiData('clients', (signal) =>
    call(client.GET('/api/v1/clients', { params: { query: { limit: 1000 } }, signal })),
  );
  const [sort, setSort] = useState<{ key: SortKey; dir: Dir }>({ key: 'name', dir: 'asc' });
  const [filter, setFilter] = useState('');
  const [adding, setAdding] = useState(false);

  const items = useMemo(() => clients.data?.items ?? [], [clients.data]);
  useLiveQuotes(items.flatMap((c) => c.summary?.positions?.map((p) => p.token_id) ?? []));
  const quotes = useQuotesStore((s) => s.quotes);

  const setData = clients.setData;
  const reloadAll = clients.reload;
  useClientChanges(
    items.map((c) => c.id),
    (changed) => {
      // A batch across many clients: one read of the list rather than a request per client.
      if (changed.length > ROW_READS_MAX) return reloadAll();
      for (const id of changed) {
        call(client.GET('/api/v1/clients/{client_id}', { params: { path: { client_id: id } } }))
          .then((fresh) =>
            setData((page) => page && { ...page, items: page.items.map((c) => (c.id === fresh.id ? fresh : c)) }),
          )
          // The row keeps its last figures; the next event or a reload tries again.
          .catch(() => undefined);
      }
    },
  );

  const shown = useMemo(() => {
    const live = items.map((c) => liveClient(c, (t) => quotes[t]?.ltp));
    return sortClients(filterClients(live, filter), sort.key, sort.dir);
  }, [items, quotes, filter, sort.key, sort.dir]);

  // The same column flips the direction; a new one starts A→Z for names and largest first for amounts.
  const toggle = (key: SortKey) =>
    setSort((s) =>
      s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' },
    );

  const header = (key: SortKey, label: string, right = true) => (
    <span className={right ? 'text-right' : ''}>
      <button
        type="button"
        onClick={() => toggle(key)}
        aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
        data-testid={`sort-${key}`}
        className={`inline-flex min-h-9 items-center gap-1 text-xs font-medium tracking-wide uppercase hover:text-slate-900 ${
          sort.key === key ? 'text-slate-900' : 'text-slate-500'
        }`}
      >
        {label}
        {sort.key === key && <span aria-hidden>{sort.dir === 'asc' ? '▲' : '▼'}</span>}
      </button>
    </span>
  );

  const total = clients.data?.total;
  return (
    <div>
      <PageTitle
        actions={
          canEdit && (
            <Button onClick={() => setAdding(true)} data-testid="add-client">
              Add client
            </Button>
          )
        }
      >
        Clients{total !== undefined ? ` (${shown.length === items.length ? total : `${shown.length} of ${total}`})` : ''}
      </PageTitle>

      <Card>
        <div className="mb-2 flex flex-wrap items-center gap-2">
          <label htmlFor="client-filter" className="sr-only">
            Filter clients
          </label>
          <input
            id="client-filter"
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Filter by name or broker id"
            data-testid="client-filter"
            className={`${inputClass} w-full md:max-w-sm`}
          />
          <div className="flex w-full items-center gap-2 md:hidden">
            <label htmlFor="client-sort" className="text-sm font-medium">
              Sort
            </label>
            <select
              id="client-sort"
              value={sort.key}
              onChange={(e) => setSort((s) => ({ ...s, key: e.target.value as SortKey }))}
              className={`${inputClass} w-auto flex-1`}
            >
              {SORTS.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
            </select>
            <Button
              variant="secondary"
              onClick={() => setSort((s) => ({ ...s, dir: s.dir === 'asc' ? 'desc' : 'asc' }))}
              aria-label={`Sort ${sort.dir === 'asc' ? 'descending' : 'ascending'}`}
            >
              {sort.dir === 'asc' ? '▲' : '▼'}
            </Button>
          </div>
        </div>

        {clients.error && <ErrorAlert error={clients.error} onRetry={isRetryable(clients.error) ? clients.reload : undefined} />}
        {clients.loading && !clients.data && <Loading>Loading clients…</Loading>}
        {clients.data && items.length === 0 && (
          <Empty testId="clients-empty">{canEdit ? 'No clients yet: add the first one.' : 'No clients to show.'}</Empty>
        )}
        {items.length > 0 && shown.length === 0 && <Empty testId="clients-none-match">No client matches “{filter}”.</Empty>}
        {shown.length > 0 && (
          <div>
            <div className={`hidden gap-3 border-b border-slate-200 px-2 md:grid ${COLS}`}>
              {header('name', 'Client', false)}
              {header('cash', 'Cash')}
              {header('margin_used', 'Margin used')}
              {header('margin_available', 'Margin avail.')}
              {header('realised_pnl', 'Realised')}
              {header('unrealised_pnl', 'Unrealised')}
              {header('open_positions', 'Pos.')}
            </div>
            <div className="divide-y divide-slate-100" data-testid="clients-list">
              {shown.map((c) => (
                <ClientRow key={c.id} c={c} />
              ))}
            </div>
          </div>
        )}
      </Card>

      <Modal open={adding} onClose={() => setAdding(false)} title="Add client" testId="add-client-dialog">
        <ClientForm
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            clients.reload();
          }}
        />
      </Modal>
    </div>
  );
}

/** One compact row (~36 px on a desktop, a two-line card on a phone), the whole row a link to the client. */
function ClientRow({ c }: { c: Client }) {
  const s = c.summary;
  const label = (text: string) => <span className="text-xs text-slate-500 md:hidden">{text} </span>;
  return (
    <Link
      href={`/clients/${c.id}`}
      data-testid="clients-list-row"
      data-client-id={c.id}
      className={`grid min-h-11 grid-cols-2 gap-x-3 gap-y-0.5 px-2 py-2 text-sm hover:bg-slate-50 md:min-h-9 md:items-center md:py-1.5 ${COLS}`}
    >
      <span className="col-span-2 flex min-w-0 items-baseline gap-2 md:col-span-1">
        <span className="truncate font-medium">{c.display_name}</span>
        <span className="shrink-0 text-xs text-slate-500">
          {c.broker_client_id}
          {!c.is_active && ' · inactive'}
        </span>
      </span>
      {s ? (
        <>
          <span className="tabular-nums md:text-right" data-testid="client-cash">
            {label('Cash')}
            {money(s.cash)}
          </span>
          <span className="text-right tabular-nums" data-testid="client-margin-used">
            {label('Used')}
            {money(s.margin_used)}
          </span>
          <span className="tabular-nums md:text-right" data-testid="client-margin-available">
            {label('Avail.')}
            {money(s.margin_available)}
          </span>
          <span className="text-right">
            {label('Realised')}
            <Pnl value={s.realised_pnl} testId="client-realised" />
          </span>
          <span className="md:text-right">
            {label('Unrealised')}
            <Pnl value={s.unrealised_pnl} testId="client-unrealised" />
          </span>
          <span className="text-right tabular-nums" data-testid="client-open-positions">
            {label('Positions')}
            {s.open_positions}
          </span>
        </>
      ) : (
        <span className="col-span-2 text-amber-800 md:col-span-6">
          {c.summary_error ?? 'Portfolio unavailable'}
        </span>
      )}
    </Link>
  );
}
