'use client';

import { useMemo, useState, type CSSProperties, type ReactNode } from 'react';

import { filterRows, nextSort, sortRows, type SortState, type SortValue } from '@/lib/client-grid';

import { inputClass } from '../ui';

/** One column of the client grid: its header, its width at md+ (a CSS grid track) and its cell. */
export interface GridColumn<R> {
  id: string;
  header: ReactNode;
  /** e.g. 'minmax(0,2fr)' */
  track: string;
  cell: (row: R) => ReactNode;
  align?: 'right';
  /** Shown before the value on the phone, where there is no header row. */
  phoneLabel?: string;
  /** Takes the whole width on the phone (names, the quantity input). */
  phoneWide?: boolean;
  /** Makes the header a sort button. */
  sortValue?: (row: R) => SortValue;
}

/**
 * The one client grid of the desk and the exit page: a filter box, sortable headers, and compact rows
 * (about 36 px at md+, so a 1440×900 screen shows a dozen clients; on the phone each row stacks its
 * cells in two columns with their labels). The page gives the columns and the rows; sorting and
 * filtering only change what is shown, never which rows the order includes.
 */
export function ClientGrid<R>({
  columns,
  rows,
  rowKey,
  rowAttrs,
  filterText,
  testId,
  rowTestId,
  toolbar,
}: {
  columns: readonly GridColumn<R>[];
  rows: readonly R[];
  rowKey: (row: R) => number | string;
  /** data-* attributes of a row (e.g. data-client-id) */
  rowAttrs?: (row: R) => Record<string, string | number | boolean | undefined>;
  filterText: (row: R) => string;
  testId: string;
  rowTestId: string;
  toolbar?: ReactNode;
}) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState | null>(null);
  const shown = useMemo(() => {
    const byId = new Map(columns.map((c) => [c.id, c]));
    return sortRows(filterRows(rows, query, filterText), sort, (row, column) => byId.get(column)?.sortValue?.(row));
  }, [rows, query, sort, columns, filterText]);
  const style = { '--grid-cols': columns.map((c) => c.track).join(' ') } as CSSProperties;
  const rowClass = 'grid grid-cols-2 gap-x-3 gap-y-1 md:grid-cols-(--grid-cols) md:items-center';

  return (
    <div data-testid={testId} style={style}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        {rows.length > 5 && (
          <label className="min-w-0 flex-1 sm:max-w-72">
            <span className="sr-only">Filter clients</span>
            <input
              type="search"
              className={`${inputClass} md:min-h-9 md:text-sm`}
              placeholder="Filter clients"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid={`${testId}-filter`}
            />
          </label>
        )}
        {toolbar}
      </div>
      <div
        role="row"
        className={`hidden border-b border-slate-200 px-2 pb-1 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${rowClass}`}
      >
        {columns.map((c) => {
          const sorted = sort?.column === c.id ? sort.dir : null;
          return (
            <span
              key={c.id}
              role="columnheader"
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
              className={c.align === 'right' ? 'text-right' : undefined}
            >
              {c.sortValue ? (
                <button
                  type="button"
                  className="uppercase hover:text-slate-900"
                  onClick={() => setSort((s) => nextSort(s, c.id))}
                  data-testid={`${testId}-sort-${c.id}`}
                >
                  {c.header}
                  <span aria-hidden className="ml-1">
                    {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                  </span>
                </button>
              ) : (
                c.header
              )}
            </span>
          );
        })}
      </div>
      <ul className="divide-y divide-slate-100">
        {shown.map((row) => (
          <li
            key={rowKey(row)}
            data-testid={rowTestId}
            {...Object.fromEntries(Object.entries(rowAttrs?.(row) ?? {}).map(([k, v]) => [`data-${k}`, v]))}
            className={`${rowClass} px-2 py-2 md:min-h-9 md:py-0.5`}
          >
            {columns.map((c) => (
              <div
                key={c.id}
                className={`min-w-0 text-sm ${c.phoneWide ? 'col-span-2 md:col-span-1' : ''} ${c.align === 'right' ? 'md:text-right' : ''}`}
              >
                {c.phoneLabel && <span className="mr-1 text-xs text-slate-500 md:hidden">{c.phoneLabel}</span>}
                {c.cell(row)}
              </div>
            ))}
          </li>
        ))}
      </ul>
      {shown.length === 0 && rows.length > 0 && (
        <p className="px-2 py-3 text-sm text-slate-500" data-testid={`${testId}-no-match`}>
          No client matches “{query.trim()}”.
        </p>
      )}
    </div>
  );
}
