'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';

import { useApi } from '@/hooks/useApi';
import type { Client, Page } from '@/lib/api-types';
import { CLIENT_SORTS as SORTS, sortClients, type ClientSortKey as SortKey } from '@/lib/clients';
import { money } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';

import { ClientForm } from './ClientForm';
import {
  Button,
  Card,
  Empty,
  ErrorAlert,
  inputClass,
  Loading,
  Modal,
  Pnl,
  PageTitle,
} from './ui';

const COLS = 'md:grid-cols-[minmax(0,2fr)_repeat(4,minmax(0,1.2fr))_minmax(0,0.8fr)]';

export function ClientsList() {
  const role = useAuthStore((s) => s.user?.role);
  const canEdit = role === 'admin' || role === 'advisor';
  const clients = useApi<Page<Client>>('/clients?limit=1000');
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'name', dir: 'asc' });
  const [adding, setAdding] = useState(false);

  const sorted = useMemo(
    () => sortClients(clients.data?.items ?? [], sort.key, sort.dir),
    [clients.data, sort.key, sort.dir],
  );

  // The same column flips the direction; a new one starts A→Z for names and largest first for amounts.
  const toggle = (key: SortKey) =>
    setSort((s) =>
      s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' },
    );

  const header = (key: SortKey, label: string, right = false) => (
    <button
      type="button"
      onClick={() => toggle(key)}
      aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      data-testid={`sort-${key}`}
      className={`inline-flex min-h-11 items-center gap-1 text-xs font-medium tracking-wide uppercase hover:text-slate-900 ${
        right ? 'justify-end' : ''
      } ${sort.key === key ? 'text-slate-900' : 'text-slate-500'}`}
    >
      {label}
      {sort.key === key && <span aria-hidden>{sort.dir === 'asc' ? '▲' : '▼'}</span>}
    </button>
  );

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
        Clients{clients.data ? ` (${clients.data.total})` : ''}
      </PageTitle>

      <Card>
        <div className="mb-2 flex flex-wrap items-center gap-2 md:hidden">
          <label htmlFor="client-sort" className="text-sm font-medium">
            Sort by
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

        {clients.error && <ErrorAlert error={clients.error} onRetry={clients.reload} />}
        {clients.loading && !clients.data && <Loading>Loading clients…</Loading>}
        {clients.data && sorted.length === 0 && (
          <Empty testId="clients-empty">{canEdit ? 'No clients yet: add the first one.' : 'No clients to show.'}</Empty>
        )}
        {sorted.length > 0 && (
          <>
            <div className={`hidden gap-3 border-b border-slate-200 px-2 md:grid ${COLS}`}>
              {header('name', 'Client')}
              {header('cash', 'Cash', true)}
              {header('margin_available', 'Margin avail.', true)}
              {header('realised_pnl', 'Realised', true)}
              {header('unrealised_pnl', 'Unrealised', true)}
              {header('open_positions', 'Positions', true)}
            </div>
            <ul className="divide-y divide-slate-100" data-testid="clients-list">
              {sorted.map((c) => (
                <li key={c.id} data-testid="clients-list-row" data-client-id={c.id}>
                  <Link
                    href={`/clients/${c.id}`}
                    className={`grid grid-cols-2 gap-x-3 gap-y-1 rounded-lg px-2 py-3 hover:bg-slate-50 ${COLS} md:items-center`}
                  >
                    <span className="col-span-2 min-w-0 md:col-span-1">
                      <span className="block truncate font-medium">{c.display_name}</span>
                      <span className="block text-xs text-slate-500">
                        {c.broker} · {c.broker_client_id}
                        {!c.is_active && ' · inactive'}
                      </span>
                    </span>
                    {c.summary ? (
                      <>
                        <span className="text-sm tabular-nums md:text-right">
                          <span className="text-xs text-slate-500 md:hidden">Cash </span>
                          {money(c.summary.cash)}
                        </span>
                        <span className="text-right text-sm tabular-nums">
                          <span className="text-xs text-slate-500 md:hidden">Margin </span>
                          {money(c.summary.margin_available)}
                        </span>
                        <span className="text-sm md:text-right">
                          <span className="text-xs text-slate-500 md:hidden">Realised </span>
                          <Pnl value={c.summary.realised_pnl} />
                        </span>
                        <span className="text-right text-sm">
                          <span className="text-xs text-slate-500 md:hidden">Unrealised </span>
                          <Pnl value={c.summary.unrealised_pnl} />
                        </span>
                        <span className="text-sm tabular-nums md:text-right">
                          <span className="text-xs text-slate-500 md:hidden">Positions </span>
                          {c.summary.open_positions}
                        </span>
                      </>
                    ) : (
                      <span className="col-span-2 text-sm text-amber-800 md:col-span-5">
                        {c.summary_error ?? 'Portfolio unavailable'}
                      </span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          </>
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
