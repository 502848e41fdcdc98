'use client';

import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { useLiveQuotes, useRealtimeEvent } from '@/hooks/useRealtime';
import { call, client } from '@/lib/api';
import type { BookSummary, BookToken } from '@/lib/api-types';
import { defaultDirection, liveTotals, revalueToken, sortTokens, type BookSortKey, type SortDirection } from '@/lib/book';
import { saveBlob } from '@/lib/download';
import { errorText } from '@/lib/errors';
import { TRADE_TYPE_LABEL } from '@/lib/orders';
import { money, qty } from '@/lib/format';
import { isRetryable } from '@/lib/retryable';
import { useQuotesStore } from '@/stores/quotes';

import {
  Button,
  buttonClass,
  Card,
  Empty,
  ErrorAlert,
  Loading,
  PageTitle,
  Pnl,
} from './ui';

const SORTS: { key: BookSortKey; label: string }[] = [
  { key: 'symbol', label: 'Symbol' },
  { key: 'net_value', label: 'Net value' },
  { key: 'unrealised_pnl', label: 'Unrealised' },
];

/** /book: every visible client's positions and holdings per token, the totals on top, revalued live. */
export function BookView() {
  const positions = useApiData('book-positions', (signal) => call(client.GET('/api/v1/book/positions', { signal })));
  const summary = useApiData('book-summary', (signal) => call(client.GET('/api/v1/book/summary', { signal })));
  const tokenIds = useMemo(() => (positions.data?.tokens ?? []).map((t) => t.token_id), [positions.data]);
  useLiveQuotes(tokenIds);
  const quotes = useQuotesStore((s) => s.quotes);

  // A fill changes quantities and averages, and any order change moves margin (an open order blocks it, its
  // cancel releases it): read both again, once per burst of updates.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { reload: reloadPositions } = positions;
  const { reload: reloadSummary } = summary;
  const reloadSoon = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      reloadPositions();
      reloadSummary();
    }, 300);
  };
  useRealtimeEvent('position_update', reloadSoon);
  useRealtimeEvent('order_update', reloadSoon);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const live = useMemo(
    () => (positions.data?.tokens ?? []).map((t) => revalueToken(t, quotes[t.token_id]?.ltp)),
    [positions.data, quotes],
  );
  const [sort, setSort] = useState<{ key: BookSortKey; direction: SortDirection }>({ key: 'symbol', direction: 'asc' });
  const sorted = useMemo(() => sortTokens(live, sort.key, sort.direction), [live, sort]);
  const totals = summary.data ? liveTotals(summary.data, live) : undefined;

  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const runExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      saveBlob(await call(client.GET('/api/v1/book/positions.csv', { parseAs: 'blob' })), 'book.csv');
    } catch (err) {
      setExportError(errorText(err));
    } finally {
      setExporting(false);
    }
  };

  const chooseSort = (key: BookSortKey) =>
    setSort((prev) => ({ key, direction: prev.key === key ? (prev.direction === 'asc' ? 'desc' : 'asc') : defaultDirection(key) }));

  return (
    <div className="space-y-3">
      <PageTitle
        actions={
          <Button variant="secondary" onClick={runExport} disabled={exporting} data-testid="book-export">
            {exporting ? 'Exporting…' : 'Export CSV'}
          </Button>
        }
      >
        Book
      </PageTitle>
      {exportError && <ErrorAlert error={exportError} />}
      {summary.error ? <ErrorAlert error={summary.error} onRetry={isRetryable(summary.error) ? summary.reload : undefined} /> : totals ? <Totals totals={totals} /> : <Loading />}
      {positions.data?.errors.map((e) => (
        <p key={e.client_id} className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="book-client-error">
          <span className="font-medium">{e.client_name}</span>: {e.error}
        </p>
      ))}
      <div className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Sort by">
        <span className="text-slate-500">Sort by</span>
        {SORTS.map(({ key, label }) => (
          <button
            key={key}
            type="button"
            onClick={() => chooseSort(key)}
            aria-pressed={sort.key === key}
            data-testid={`book-sort-${key}`}
            className={buttonClass(sort.key === key ? 'primary' : 'secondary', 'px-3 py-1 text-sm')}
          >
            {label}
            {sort.key === key ? (sort.direction === 'asc' ? ' ↑' : ' ↓') : ''}
          </button>
        ))}
      </div>
      {positions.error ? (
        <ErrorAlert error={positions.error} onRetry={isRetryable(positions.error) ? positions.reload : undefined} />
      ) : !positions.data ? (
        <Loading />
      ) : sorted.length === 0 ? (
        <Empty testId="book-empty">No client holds anything.</Empty>
      ) : (
        <ul className="space-y-3">
          {sorted.map((t) => (
            <TokenCard key={t.token_id} token={t} />
          ))}
        </ul>
      )}
    </div>
  );
}

function Totals({ totals }: { totals: BookSummary }) {
  const items: { label: string; value: React.ReactNode; testId: string }[] = [
    { label: 'P&L today', value: <Pnl value={totals.pnl_today} />, testId: 'book-pnl-today' },
    { label: 'Unrealised', value: <Pnl value={totals.unrealised_pnl} />, testId: 'book-unrealised' },
    { label: 'Realised', value: <Pnl value={totals.realised_pnl} />, testId: 'book-realised' },
    { label: 'Gross exposure', value: money(totals.gross_exposure), testId: 'book-exposure' },
    { label: 'Margin used', value: money(totals.margin_used), testId: 'book-margin-used' },
    { label: 'Margin available', value: money(totals.margin_available), testId: 'book-margin-available' },
    { label: 'Clients with positions', value: `${totals.clients_with_open_positions} of ${totals.clients}`, testId: 'book-open-clients' },
  ];
  return (
    <Card data-testid="book-totals">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-4">
        {items.map((i) => (
          <div key={i.label} className="min-w-0">
            <dt className="text-xs text-slate-500">{i.label}</dt>
            <dd className="truncate font-medium tabular-nums" data-testid={i.testId}>
              {i.value}
            </dd>
          </div>
        ))}
      </dl>
      {(totals.best_client || totals.worst_client) && (
        <p className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
          {totals.best_client && (
            <span data-testid="book-best">
              Best: {totals.best_client.client_name} <Pnl value={totals.best_client.pnl} />
            </span>
          )}
          {totals.worst_client && (
            <span data-testid="book-worst">
              Worst: {totals.worst_client.client_name} <Pnl value={totals.worst_client.pnl} />
            </span>
          )}
        </p>
      )}
    </Card>
  );
}

function TokenCard({ token }: { token: BookToken }) {
  return (
    <li>
      <Card data-testid="book-token" data-token-id={String(token.token_id)}>
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="min-w-0 text-base font-semibold">
            {token.symbol} <span className="text-xs font-normal text-slate-500">{token.exchange}</span>
          </h2>
          <Link href={`/exit/${token.token_id}`} className={buttonClass('secondary', 'px-3 py-1 text-sm')} data-testid="book-exit-link">
            Exit…
          </Link>
        </div>
        <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-5">
          <Figure label="LTP" value={money(token.last_price)} testId="book-token-ltp" />
          <Figure label="Net qty" value={qty(token.net_quantity)} testId="book-token-net" />
          <Figure label="Net value" value={money(token.net_value)} testId="book-token-value" />
          <Figure label="Unrealised" value={<Pnl value={token.unrealised_pnl} />} testId="book-token-unrealised" />
          <Figure label="Realised" value={<Pnl value={token.realised_pnl} />} testId="book-token-realised" />
        </dl>
        <ul className="mt-3 divide-y divide-slate-100 border-t border-slate-200">
          {token.clients.map((l) => (
            <li
              key={`${l.client_id}-${l.trade_type}`}
              className="grid grid-cols-2 gap-x-3 gap-y-1 py-2 text-sm sm:grid-cols-[minmax(0,2fr)_repeat(4,minmax(0,1fr))] sm:items-center"
              data-testid="book-line"
              data-client-id={String(l.client_id)}
            >
              <span className="col-span-2 min-w-0 truncate font-medium sm:col-span-1">
                {l.client_name} <span className="text-xs font-normal text-slate-500">{TRADE_TYPE_LABEL[l.trade_type]}</span>
              </span>
              <span className="tabular-nums" data-testid="book-line-net">
                {qty(l.net_quantity)}
                {l.held_quantity > 0 && <span className="text-xs text-slate-500"> ({qty(l.held_quantity)} held)</span>}
              </span>
              <span className="text-right tabular-nums sm:text-left">avg {money(l.average_price)}</span>
              <span>
                <span className="text-xs text-slate-500 sm:hidden">Unrealised </span>
                <Pnl value={l.unrealised_pnl} testId="book-line-unrealised" />
              </span>
              <span className="text-right sm:text-left">
                <span className="text-xs text-slate-500 sm:hidden">Realised </span>
                <Pnl value={l.realised_pnl} />
              </span>
            </li>
          ))}
        </ul>
      </Card>
    </li>
  );
}

function Figure({ label, value, testId }: { label: string; value: React.ReactNode; testId: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="truncate tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
