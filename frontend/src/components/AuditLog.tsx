'use client';

import { useEffect, useRef, useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { AuditEvent, ChainReport, User } from '@/lib/api-types';
import {
  actionLabel,
  actionTone,
  AUDIT_ACTIONS,
  auditExportFilename,
  auditFiltersError,
  auditQuery,
  describeChain,
  emptyAuditFilters,
  entityLabel,
  payloadSummary,
  shortHash,
  type AuditFilters,
} from '@/lib/audit';
import { saveBlob } from '@/lib/download';
import { errorText } from '@/lib/errors';
import { time } from '@/lib/format';

import { DateRangeFilter } from './form/DateRangeFilter';
import { Field } from './form/Field';
import { FilterPanel } from './form/FilterPanel';
import { Button, Card, Empty, ErrorAlert, inputClass, Loading, Pager } from './ui';

const PAGE = 50;

const TONE: Record<ReturnType<typeof actionTone>, string> = {
  bad: 'bg-red-100 text-red-800',
  warn: 'bg-amber-100 text-amber-900',
  good: 'bg-emerald-100 text-emerald-800',
  neutral: 'bg-slate-100 text-slate-700',
};

const COLS = 'md:grid-cols-[4.5rem_minmax(0,1.3fr)_minmax(0,1fr)_minmax(0,1.2fr)_minmax(0,1fr)]';

/**
 * /admin: the audit trail (GET /audit, newest first), filtered by action, actor and IST days,
 * paginated; "Verify chain" (GET /audit/verify) and "Export CSV" (GET /audit/export.csv with the
 * same filters, fetched with the bearer token and saved as a file).
 */
export function AuditLog({
  users,
  names,
  reloadKey = 0,
}: {
  users: readonly User[];
  names: ReadonlyMap<number, string>;
  /** Changes when something on the page wrote events (a halt, new limits): show the newest again. */
  reloadKey?: number;
}) {
  const [filters, setFilters] = useState<AuditFilters>(emptyAuditFilters);
  const [offset, setOffset] = useState(0);
  const filterError = auditFiltersError(filters);
  const query = auditQuery(filters);
  const events = useApiData(filterError ? null : `audit:${JSON.stringify(query)}:${offset}`, (signal) =>
    call(client.GET('/api/v1/audit', { params: { query: { ...query, limit: PAGE, offset } }, signal })),
  );
  const activeFilters = Object.values(filters).filter((v) => v !== '').length;

  const [verify, setVerify] = useState<{ busy: boolean; report: ChainReport | null; error: string | null }>({
    busy: false,
    report: null,
    error: null,
  });
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const reload = events.reload;
  const lastKey = useRef(reloadKey);
  useEffect(() => {
    if (reloadKey === lastKey.current) return;
    lastKey.current = reloadKey;
    setOffset(0);
    reload();
  }, [reloadKey, reload]);

  const set = (patch: Partial<AuditFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setOffset(0);
  };

  const runVerify = async () => {
    setVerify({ busy: true, report: null, error: null });
    try {
      setVerify({ busy: false, report: await call(client.GET('/api/v1/audit/verify')), error: null });
    } catch (err) {
      setVerify({ busy: false, report: null, error: errorText(err) });
    }
  };

  const runExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const blob = await call(client.GET('/api/v1/audit/export.csv', { params: { query }, parseAs: 'blob' }));
      saveBlob(blob, auditExportFilename(filters, new Date()));
    } catch (err) {
      setExportError(errorText(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <Card data-testid="audit-section">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">
          Audit log{events.data ? ` (${events.data.total})` : ''}
        </h2>
        <div className="flex w-full flex-wrap gap-2 sm:w-auto">
          <Button
            variant="secondary"
            className="flex-1 sm:flex-none"
            onClick={() => void runVerify()}
            disabled={verify.busy}
            data-testid="audit-verify"
          >
            {verify.busy ? 'Verifying…' : 'Verify chain'}
          </Button>
          <Button
            variant="secondary"
            className="flex-1 sm:flex-none"
            onClick={() => void runExport()}
            disabled={exporting || filterError !== null}
            data-testid="audit-export"
            title="The events matching the filters, oldest first, with their hashes"
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </Button>
        </div>
      </div>

      {verify.report && (
        <p
          role="status"
          data-testid="audit-verify-result"
          data-ok={verify.report.ok ? 'true' : 'false'}
          data-broken-id={verify.report.first_broken_id ?? undefined}
          className={`mb-3 rounded-lg border px-3 py-2 text-sm break-words ${
            verify.report.ok ? 'border-emerald-200 bg-emerald-50 text-emerald-900' : 'border-red-200 bg-red-50 text-red-900'
          }`}
        >
          {verify.report.ok ? '✓ ' : '✗ '}
          {describeChain(verify.report)}
        </p>
      )}
      {verify.error && (
        <div className="mb-3">
          <ErrorAlert error={verify.error} testId="audit-verify-error" />
        </div>
      )}
      {exportError && (
        <div className="mb-3">
          <ErrorAlert error={exportError} testId="audit-export-error" />
        </div>
      )}

      <FilterPanel
        id="audit-filters"
        testId="audit-filters"
        className="mb-3"
        active={activeFilters}
        onReset={() => set(emptyAuditFilters())}
      >
        <Field id="af-action" label="Action">
          {(p) => (
            <select
              {...p}
              value={filters.action}
              onChange={(e) => set({ action: e.target.value })}
              className={inputClass}
              data-testid="audit-filter-action"
            >
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label} ({a.value})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="af-actor" label="Who">
          {(p) => (
            <select
              {...p}
              value={filters.actor_id}
              onChange={(e) => set({ actor_id: e.target.value })}
              className={inputClass}
              data-testid="audit-filter-actor"
            >
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={u.id} value={String(u.id)}>
                  {u.full_name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <DateRangeFilter
          idPrefix="af"
          testIdPrefix="audit-filter"
          value={{ from: filters.date_from, to: filters.date_to }}
          onChange={({ from, to }) => set({ date_from: from, date_to: to })}
        />
      </FilterPanel>

      {/* A From after To is said under the From box; the request waits until the range reads. */}
      {events.error && <ErrorAlert error={errorText(events.error)} onRetry={events.reload} />}
      {events.loading && !events.data && <Loading>Loading the audit log…</Loading>}
      {events.data && events.data.items.length === 0 && (
        <Empty testId="audit-empty">{activeFilters > 0 ? 'No events match these filters.' : 'No events yet.'}</Empty>
      )}
      {events.data && events.data.items.length > 0 && (
        <>
          <div
            className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${COLS}`}
          >
            <span>#</span>
            <span>When (IST)</span>
            <span>Who</span>
            <span>Action</span>
            <span>On</span>
          </div>
          <ul className="divide-y divide-slate-100" data-testid="audit-events" data-loading={events.loading ? 'true' : 'false'}>
            {events.data.items.map((e) => (
              <AuditRow key={e.id} event={e} actor={e.actor_id === null ? 'System' : (names.get(e.actor_id) ?? `User #${e.actor_id}`)} />
            ))}
          </ul>
          <Pager offset={offset} limit={PAGE} total={events.data.total} onOffset={setOffset} />
        </>
      )}
    </Card>
  );
}

function AuditRow({ event, actor }: { event: AuditEvent; actor: string }) {
  const summary = payloadSummary(event.payload);
  const entity = entityLabel(event);
  return (
    <li data-testid="audit-row" data-action={event.action} data-id={event.id} className="px-2 py-2.5 text-sm">
      <div className={`grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 md:items-center ${COLS}`}>
        <span className="text-xs text-slate-500 tabular-nums md:text-sm">#{event.id}</span>
        <span className="text-right text-xs text-slate-500 md:text-left md:text-sm md:text-slate-700">{time(event.ts)}</span>
        <span className="min-w-0 truncate font-medium md:font-normal" data-testid="audit-actor">
          {actor}
        </span>
        <span className="min-w-0 text-right md:text-left">
          <span
            className={`inline-block max-w-full truncate rounded-full px-2 py-0.5 align-middle text-xs font-semibold ${TONE[actionTone(event.action)]}`}
            title={event.action}
          >
            {actionLabel(event.action)}
          </span>
        </span>
        <span className="col-span-2 min-w-0 truncate text-slate-600 md:col-span-1">{entity}</span>
      </div>
      <details className="group mt-1">
        <summary className="flex min-h-11 cursor-pointer list-none items-center gap-2 text-xs text-slate-500 hover:text-slate-800 md:min-h-8">
          <span aria-hidden className="inline-block transition-transform group-open:rotate-90">
            ▸
          </span>
          <span className="min-w-0 truncate font-mono">{summary || `hash ${shortHash(event.hash)}`}</span>
        </summary>
        <div className="mt-1 space-y-2 rounded-lg bg-slate-50 p-3 text-xs">
          <p className="break-all">
            <span className="font-medium text-slate-700">Action</span> <span className="font-mono">{event.action}</span>
          </p>
          {summary && (
            <pre className="max-w-full overflow-x-auto font-mono whitespace-pre-wrap break-all text-slate-800">
              {JSON.stringify(event.payload, null, 2)}
            </pre>
          )}
          <p className="break-all">
            <span className="font-medium text-slate-700">Hash</span> <span className="font-mono">{event.hash}</span>
          </p>
          <p className="break-all">
            <span className="font-medium text-slate-700">Previous</span> <span className="font-mono">{event.prev_hash}</span>
          </p>
        </div>
      </details>
    </li>
  );
}
