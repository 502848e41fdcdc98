import { describe, expect, it } from 'vitest';

import type { MarketStatus } from './api-types';
import { clockOffset, countdownText, formatCountdown, formatOpenIST, isClosed, phaseText } from './market-status';

const status = (over: Partial<MarketStatus> = {}): MarketStatus => ({
  exchange: 'NSE',
  now: '2026-01-26T04:30:00Z',
  phase: 'holiday',
  holiday_name: 'Republic Day',
  next_open: '2026-01-27T03:45:00Z',
  next_close: '2026-01-27T10:00:00Z',
  simulator_always_open: false,
  ...over,
});

describe('market status words', () => {
  it('names the phase and the holiday', () => {
    expect(phaseText(status())).toBe('NSE Holiday (Republic Day)');
    expect(phaseText(status({ phase: 'pre_open', holiday_name: null }))).toBe('NSE Pre-open');
  });

  it('counts down to the open while closed and to the close while open, on the server clock', () => {
    const now = Date.parse('2026-01-26T04:30:00Z');
    expect(countdownText(status(), now)).toBe('opens in 23h 15m');
    const open = status({ phase: 'open', holiday_name: null, now: '2026-01-27T09:55:51Z' });
    expect(countdownText(open, Date.parse(open.now))).toBe('closes in 4m 09s');
    expect(countdownText(open, Date.parse('2026-01-27T10:00:00Z'))).toBe('closes now');
  });

  it('formats long and short waits', () => {
    expect(formatCountdown(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2d 3h');
    expect(formatCountdown(3 * 3_600_000 + 5 * 60_000)).toBe('3h 05m');
    expect(formatCountdown(61_000)).toBe('1m 01s');
    expect(formatCountdown(0)).toBe('now');
  });

  it('keeps the offset of a server clock set to another day', () => {
    const received = Date.parse('2026-12-01T04:00:00Z');
    expect(clockOffset(status(), received)).toBe(Date.parse('2026-01-26T04:30:00Z') - received);
  });

  it('shows the next open in Indian time', () => {
    expect(formatOpenIST('2026-01-27T03:45:00Z')).toBe('Tue 27 Jan, 09:15 IST');
  });

  it('is closed in every phase but open, and unknown is not closed', () => {
    expect(isClosed(status())).toBe(true);
    expect(isClosed(status({ phase: 'pre_open' }))).toBe(true);
    expect(isClosed(status({ phase: 'open' }))).toBe(false);
    expect(isClosed(undefined)).toBe(false);
  });
});
