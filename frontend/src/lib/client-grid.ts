/**
 * The desk's and the exit page's client grid, without React: which rows a filter keeps and in what
 * order a sort puts them. A sort key is a number or a decimal string (money) or text; rows without a
 * value go last whichever the direction, so "no position" never hides the biggest ones.
 */
import { cmp, dec } from './decimal';

export type SortValue = number | string | null | undefined;
export type SortDir = 'asc' | 'desc';
export interface SortState {
  column: string;
  dir: SortDir;
}

const SIGNED_DECIMAL_RE = /^-?\d+(\.\d+)?$/;

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  // Money arrives as decimal strings: compared exactly, not as text ("9" < "10").
  if (SIGNED_DECIMAL_RE.test(sa) && SIGNED_DECIMAL_RE.test(sb)) return cmp(dec(sa), dec(sb));
  return sa.localeCompare(sb, 'en-IN', { sensitivity: 'base', numeric: true });
}

const missing = (v: SortValue) => v === null || v === undefined || v === '';

/** `rows` in the order of `sort` (stable: equal keys keep their order); unsorted when `sort` is null. */
export function sortRows<R>(rows: readonly R[], sort: SortState | null, key: (row: R, column: string) => SortValue): R[] {
  if (!sort) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: key(row, sort.column) }))
    .sort((x, y) => {
      if (missing(x.v) || missing(y.v)) return missing(x.v) === missing(y.v) ? x.i - y.i : missing(x.v) ? 1 : -1;
      return sign * compareValues(x.v, y.v) || x.i - y.i;
    })
    .map((x) => x.row);
}

/** Rows whose text contains every word of `query` (case and spacing ignored). */
export function filterRows<R>(rows: readonly R[], query: string, text: (row: R) => string): R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const t = text(row).toLowerCase();
    return words.every((w) => t.includes(w));
  });
}

/** The next sort after a click on `column`'s header: ascending, then descending, then unsorted. */
export function nextSort(current: SortState | null, column: string): SortState | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  return current.dir === 'asc' ? { column, dir: 'desc' } : null;
}
