import { describe, expect, it } from 'vitest';

import type { LedgerEntry } from '@/lib/api-types';

import { amountProblem, newestFirst } from './cash';

describe('amountProblem', () => {
  it('accepts rupees with up to two decimals', () => {
    expect(amountProblem('2500')).toBeNull();
    expect(amountProblem(' 2500.50 ')).toBeNull();
  });

  it('refuses what the API would refuse, with words a person understands', () => {
    expect(amountProblem('')).toBe('Enter an amount');
    expect(amountProblem('0')).toBe('Amount must be more than 0');
    expect(amountProblem('-5')).toMatch(/two decimals/);
    expect(amountProblem('1.001')).toMatch(/two decimals/);
    expect(amountProblem('1e5')).toMatch(/two decimals/);
  });
});

describe('newestFirst', () => {
  const entry = (id: string): LedgerEntry => ({
    id,
    at: '2026-12-01T04:00:00Z',
    kind: 'DEPOSIT',
    description: '',
    amount: '1.00',
    balance: '1.00',
  });

  it('puts the latest movement on top and keeps only the last ones', () => {
    expect(newestFirst([entry('0'), entry('1'), entry('2')], 2).map((e) => e.id)).toEqual(['2', '1']);
  });
});
