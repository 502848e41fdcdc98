import { describe, expect, it } from 'vitest';

import { bookTime, parseDisplayDay, toDisplayDay } from './dates';

describe('dd/mm/yyyy days', () => {
  it('shows an API day as dd/mm/yyyy', () => {
    expect(toDisplayDay('2026-12-01')).toBe('01/12/2026');
    expect(toDisplayDay('')).toBe('');
  });

  it('reads what a person types day first, with the usual separators', () => {
    expect(parseDisplayDay('01/12/2026')).toBe('2026-12-01');
    expect(parseDisplayDay('1/2/2026')).toBe('2026-02-01');
    expect(parseDisplayDay(' 05-11-2026 ')).toBe('2026-11-05');
    expect(parseDisplayDay('05.11.2026')).toBe('2026-11-05');
    expect(parseDisplayDay('')).toBe('');
  });

  it('refuses days that do not exist or are written month first', () => {
    expect(parseDisplayDay('31/02/2026')).toBeNull();
    expect(parseDisplayDay('12/31/2026')).toBeNull();
    expect(parseDisplayDay('2026-12-01')).toBeNull();
    expect(parseDisplayDay('yesterday')).toBeNull();
    expect(parseDisplayDay('29/02/2028')).toBe('2028-02-29');
  });
});

describe('bookTime', () => {
  const now = new Date('2026-12-01T09:00:00Z'); // 14:30 IST on 1 Dec

  it("shows only the IST time for today's orders", () => {
    expect(bookTime('2026-12-01T04:00:05Z', now)).toBe('09:30:05');
  });

  it('takes the IST day, not the UTC one: 19:00 UTC on 30 Nov is already 1 Dec in India', () => {
    expect(bookTime('2026-11-30T19:00:00Z', now)).toBe('00:30:00');
    expect(bookTime('2026-11-30T18:00:00Z', now)).toBe('30/11/2026');
  });

  it('shows the date for older orders and reads zone-less times as UTC', () => {
    expect(bookTime('2026-11-23T08:35:09', now)).toBe('23/11/2026');
  });
});
