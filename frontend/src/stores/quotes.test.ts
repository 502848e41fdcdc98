import { beforeEach, describe, expect, it } from 'vitest';

import type { PriceUpdate, Quote } from '@/lib/api-types';

import { frameUpdates, isNewer, useQuotesStore } from './quotes';

const tick = (token_id: number, ltp: string, ts: string): PriceUpdate => ({
  token_id,
  ltp,
  change: '0',
  change_pct: '0',
  volume: 1,
  ts,
});

beforeEach(() => useQuotesStore.getState().clear());

describe('quotes store', () => {
  it('keeps the latest quote per token', () => {
    const { apply } = useQuotesStore.getState();
    expect(apply(tick(2885, '1420.00', '2026-11-23T09:00:00Z'))).toBe(true);
    expect(apply(tick(2885, '1420.50', '2026-11-23T09:00:01Z'))).toBe(true);
    expect(apply(tick(11536, '3050.00', '2026-11-23T09:00:00Z'))).toBe(true);
    const q = useQuotesStore.getState().quotes;
    expect(q[2885]?.ltp).toBe('1420.50');
    expect(q[11536]?.ltp).toBe('3050.00');
  });

  it('drops an update older than the one it holds (latest wins, not last arrived)', () => {
    const { apply } = useQuotesStore.getState();
    apply(tick(2885, '1421.00', '2026-11-23T09:00:05Z'));
    expect(apply(tick(2885, '1400.00', '2026-11-23T09:00:04.999Z'))).toBe(false);
    expect(useQuotesStore.getState().quotes[2885]?.ltp).toBe('1421.00');
    // Same instant: the new one replaces (a repeated event changes nothing).
    expect(apply(tick(2885, '1421.00', '2026-11-23T09:00:05Z'))).toBe(true);
  });

  it('compares instants, not strings (offsets and naive UTC)', () => {
    expect(isNewer('2026-11-23T14:30:01+05:30', '2026-11-23T09:00:00Z')).toBe(true);
    expect(isNewer('2026-11-23T09:00:00', '2026-11-23T09:00:01Z')).toBe(false);
    expect(isNewer(undefined, '2026-11-23T09:00:01Z')).toBe(true);
  });

  it('a late REST snapshot does not roll a live price back, but fills in the day fields', () => {
    const { apply, applyMany } = useQuotesStore.getState();
    apply(tick(2885, '1422.00', '2026-11-23T09:00:10Z'));
    const rest: Quote = {
      token_id: 2885,
      ltp: '1420.00',
      change: '0',
      change_pct: '0',
      open: '1418',
      high: '1425',
      low: '1410',
      prev_close: '1420',
      volume: 5,
      ts: '2026-11-23T09:00:00Z',
    };
    const other: Quote = { ...rest, token_id: 1333, ltp: '985.00' };
    applyMany([rest, other]);
    const q = useQuotesStore.getState().quotes;
    expect(q[2885]?.ltp).toBe('1422.00');
    expect(q[1333]?.ltp).toBe('985.00');
    // A later tick keeps the REST-only fields.
    apply(tick(1333, '986.00', '2026-11-23T09:00:20Z'));
    expect(useQuotesStore.getState().quotes[1333]).toMatchObject({ ltp: '986.00', high: '1425' });
  });

  it('applies a prices frame: every quote at the frame time, in one update, latest still wins', () => {
    const { apply, applyFrame } = useQuotesStore.getState();
    apply(tick(1333, '990.00', '2026-11-23T09:00:30Z')); // newer than the frame below
    let updates = 0;
    const stop = useQuotesStore.subscribe(() => updates++);
    applyFrame({
      ts: '2026-11-23T09:00:20Z',
      quotes: [
        { token_id: 2885, ltp: '1423.00', change: '3', change_pct: '0.21', volume: 7 },
        { token_id: 1333, ltp: '980.00', change: '-5', change_pct: '-0.5', volume: 2 },
      ],
    });
    stop();
    expect(updates).toBe(1);
    const q = useQuotesStore.getState().quotes;
    expect(q[2885]).toMatchObject({ ltp: '1423.00', volume: 7, ts: '2026-11-23T09:00:20Z' });
    expect(q[1333]?.ltp).toBe('990.00');
  });

  it('ignores a malformed frame', () => {
    expect(frameUpdates({ ts: '2026-11-23T09:00:20Z', quotes: 'nope' } as never)).toEqual([]);
    expect(frameUpdates(null)).toEqual([]);
    useQuotesStore.getState().applyFrame({ quotes: [] } as never);
    expect(useQuotesStore.getState().quotes).toEqual({});
  });
});

describe('the day’s figures', () => {
  const rest = (ltp: string, ts: string): Quote => ({
    ...tick(2885, ltp, ts),
    open: '1400.00',
    high: '1425.00',
    low: '1395.50',
    prev_close: '1410.00',
  });

  it('keeps open/high/low/previous close from the REST quote as ticks arrive', () => {
    const { apply } = useQuotesStore.getState();
    apply(rest('1420.00', '2026-11-23T09:00:00Z'));
    apply(tick(2885, '1421.00', '2026-11-23T09:00:01Z'));
    expect(useQuotesStore.getState().quotes[2885]).toMatchObject({ ltp: '1421.00', open: '1400.00', prev_close: '1410.00' });
  });

  it('takes them from a REST answer that arrives after a newer tick, without rolling the price back', () => {
    const { apply } = useQuotesStore.getState();
    apply(tick(2885, '1421.00', '2026-11-23T09:00:05Z'));
    expect(apply(rest('1400.00', '2026-11-23T09:00:00Z'))).toBe(true);
    expect(useQuotesStore.getState().quotes[2885]).toMatchObject({
      ltp: '1421.00',
      ts: '2026-11-23T09:00:05Z',
      open: '1400.00',
      high: '1425.00',
      low: '1395.50',
      prev_close: '1410.00',
    });
    // Nothing new the second time.
    expect(apply(rest('1400.00', '2026-11-23T09:00:00Z'))).toBe(false);
  });
});
