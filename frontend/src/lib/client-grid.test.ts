import { describe, expect, it } from 'vitest';

import { filterRows, nextSort, sortRows } from './client-grid';

const rows = [
  { name: 'Asha Rao', margin: '9.50', pos: 10 },
  { name: 'Bimal', margin: '10.00', pos: null },
  { name: 'chitra', margin: '-5.00', pos: 3 },
];
const key = (r: (typeof rows)[number], c: string) => (c === 'margin' ? r.margin : c === 'pos' ? r.pos : r.name);

describe('client grid sort', () => {
  it('orders money as numbers, not text ("9.50" < "10.00", negatives first)', () => {
    expect(sortRows(rows, { column: 'margin', dir: 'asc' }, key).map((r) => r.margin)).toEqual(['-5.00', '9.50', '10.00']);
    expect(sortRows(rows, { column: 'margin', dir: 'desc' }, key).map((r) => r.margin)).toEqual(['10.00', '9.50', '-5.00']);
  });

  it('keeps rows without a value last in both directions', () => {
    expect(sortRows(rows, { column: 'pos', dir: 'asc' }, key).map((r) => r.name)).toEqual(['chitra', 'Asha Rao', 'Bimal']);
    expect(sortRows(rows, { column: 'pos', dir: 'desc' }, key).map((r) => r.name)).toEqual(['Asha Rao', 'chitra', 'Bimal']);
  });

  it('sorts names ignoring case; no sort keeps the given order', () => {
    expect(sortRows(rows, { column: 'name', dir: 'desc' }, key).map((r) => r.name)).toEqual(['chitra', 'Bimal', 'Asha Rao']);
    expect(sortRows(rows, null, key)).toEqual(rows);
  });

  it('a header click cycles ascending, descending, unsorted; another column starts ascending', () => {
    expect(nextSort(null, 'pos')).toEqual({ column: 'pos', dir: 'asc' });
    expect(nextSort({ column: 'pos', dir: 'asc' }, 'pos')).toEqual({ column: 'pos', dir: 'desc' });
    expect(nextSort({ column: 'pos', dir: 'desc' }, 'pos')).toBeNull();
    expect(nextSort({ column: 'pos', dir: 'desc' }, 'name')).toEqual({ column: 'name', dir: 'asc' });
  });
});

describe('client grid filter', () => {
  it('keeps rows containing every typed word, any case', () => {
    expect(filterRows(rows, ' asha  RAO ', (r) => r.name).map((r) => r.name)).toEqual(['Asha Rao']);
    expect(filterRows(rows, 'i', (r) => r.name).map((r) => r.name)).toEqual(['Bimal', 'chitra']);
    expect(filterRows(rows, '', (r) => r.name)).toHaveLength(3);
  });
});
