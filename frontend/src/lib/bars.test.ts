import { describe, expect, it } from 'vitest';

import {
  applyTick,
  chartTime,
  epochSeconds,
  mergeCandle,
  parseBarsResponse,
  parseBarsFrame,
  parseBarUpdate,
  utcFromChartTime,
  type Candle,
  type Series,
} from './bars';

const T0 = Date.UTC(2026, 10, 30, 3, 45) / 1000; // 09:15 IST, the market's open

function candle(time: number, close: number, extra: Partial<Candle> = {}): Candle {
  return { time, open: close, high: close, low: close, close, volume: 100, complete: true, ...extra };
}

function apiBar(start: string, close: string, extra: Record<string, unknown> = {}) {
  return { start, open: close, high: close, low: close, close, volume: 100, complete: true, ...extra };
}

describe('parseBarsResponse', () => {
  it('turns the contract shape into candles: UTC seconds, prices as numbers, oldest first', () => {
    const r = parseBarsResponse({
      token_id: 2885,
      interval: '1m',
      bars: [
        { start: '2026-11-30T03:45:00Z', open: '1400.00', high: '1402.50', low: '1399.05', close: '1401.10', volume: 1200, complete: true },
        { start: '2026-11-30T03:46:00+00:00', open: '1401.10', high: '1401.10', low: '1400.00', close: '1400.40', volume: 300, complete: false },
      ],
    });
    expect(r.tokenId).toBe(2885);
    expect(r.interval).toBe('1m');
    expect(r.candles).toEqual([
      { time: T0, open: 1400, high: 1402.5, low: 1399.05, close: 1401.1, volume: 1200, complete: true },
      { time: T0 + 60, open: 1401.1, high: 1401.1, low: 1400, close: 1400.4, volume: 300, complete: false },
    ]);
  });

  it('sorts and keeps one candle per start (the chart refuses repeated or unordered times)', () => {
    const r = parseBarsResponse({
      token_id: 1,
      interval: '5m',
      bars: [apiBar('2026-11-30T03:50:00Z', '2'), apiBar('2026-11-30T03:45:00Z', '1'), apiBar('2026-11-30T03:50:00Z', '3')],
    });
    expect(r.candles.map((c) => [c.time - T0, c.close])).toEqual([
      [0, 1],
      [300, 3],
    ]);
  });

  it('takes a time without an offset as UTC', () => {
    const r = parseBarsResponse({ token_id: 1, interval: '1m', bars: [apiBar('2026-11-30T03:45:00', '1')] });
    expect(r.candles[0]!.time).toBe(T0);
  });

  it.each([
    ['a float price', { bars: [{ ...apiBar('2026-11-30T03:45:00Z', '1'), close: 1401.1 }] }],
    ['an unknown interval', { interval: '2m' }],
    ['a fractional volume', { bars: [apiBar('2026-11-30T03:45:00Z', '1', { volume: 1.5 })] }],
    ['a bad time', { bars: [apiBar('yesterday', '1')] }],
    ['no bars', { bars: undefined }],
  ])('refuses %s', (_, change) => {
    expect(() => parseBarsResponse({ token_id: 1, interval: '1m', bars: [], ...change })).toThrow();
  });
});

describe('parseBarUpdate', () => {
  it('parses the event and drops a malformed one instead of throwing', () => {
    const u = parseBarUpdate({ token_id: 2885, interval: '1m', bar: apiBar('2026-11-30T03:45:00Z', '1400.5', { complete: false }) });
    expect(u).toEqual({ tokenId: 2885, interval: '1m', candle: candle(T0, 1400.5, { complete: false }) });
    expect(parseBarUpdate({ token_id: 2885, interval: '1m' })).toBeNull();
    expect(parseBarUpdate(null)).toBeNull();
  });
});

describe('parseBarsFrame', () => {
  it("keeps the token's well-formed items in the frame's order: a minute's close before the next", () => {
    const frame = {
      bars: [
        { token_id: 2885, interval: '1m', bar: apiBar('2026-11-30T03:45:00Z', '1400.5') },
        { token_id: 11536, interval: '1m', bar: apiBar('2026-11-30T03:46:00Z', '3000') },
        { token_id: 2885, interval: '1m' },
        { token_id: 2885, interval: '1m', bar: apiBar('2026-11-30T03:46:00Z', '1401', { complete: false }) },
      ],
    };
    expect(parseBarsFrame(frame, 2885)).toEqual([
      { tokenId: 2885, interval: '1m', candle: candle(T0, 1400.5) },
      { tokenId: 2885, interval: '1m', candle: candle(T0 + 60, 1401, { complete: false }) },
    ]);
    expect(parseBarsFrame({ bars: 'x' }, 2885)).toEqual([]);
    expect(parseBarsFrame(null, 2885)).toEqual([]);
  });
});

describe('mergeCandle at the chart interval', () => {
  const series: Series = { candles: [candle(T0, 10), candle(T0 + 60, 11, { complete: false })] };

  it('replaces the last candle when the start is the same', () => {
    const r = mergeCandle(series, candle(T0 + 60, 12, { high: 13, complete: true }), '1m');
    expect(r.result).toBe('replaced');
    expect(r.series.candles).toHaveLength(2);
    expect(r.series.candles[1]).toMatchObject({ close: 12, high: 13, complete: true });
    expect(series.candles[1]!.close).toBe(11); // not mutated
  });

  it('appends a newer candle', () => {
    const r = mergeCandle(series, candle(T0 + 120, 12), '1m');
    expect(r.result).toBe('appended');
    expect(r.series.candles.map((c) => c.time - T0)).toEqual([0, 60, 120]);
  });

  it('ignores an older candle (a late event)', () => {
    const r = mergeCandle(series, candle(T0, 99), '1m');
    expect(r.result).toBe('ignored');
    expect(r.series).toBe(series);
  });

  it('starts an empty series', () => {
    const r = mergeCandle({ candles: [] }, candle(T0, 5), '1m');
    expect(r.result).toBe('appended');
    expect(r.series.candles).toEqual([candle(T0, 5)]);
  });
});

describe('mergeCandle folding 1-minute updates into longer candles', () => {
  // A 5m candle loaded at 09:16:30 IST: it already counts minute 09:16's volume so far.
  const loaded: Series = { candles: [candle(T0, 100, { open: 100, high: 101, low: 99, volume: 500, complete: false })] };

  it('widens high/low and moves the close; the first minute seen adds only its later increases', () => {
    let r = mergeCandle(loaded, candle(T0 + 60, 102, { high: 103, low: 100, volume: 40, complete: false }), '5m', '1m');
    expect(r.result).toBe('replaced');
    expect(r.series.candles[0]).toMatchObject({ time: T0, open: 100, high: 103, low: 99, close: 102, volume: 500 });
    // The same minute again with more volume: only the 25 more are added.
    r = mergeCandle(r.series, candle(T0 + 60, 98, { high: 103, low: 98, volume: 65, complete: true }), '5m', '1m');
    expect(r.series.candles[0]).toMatchObject({ high: 103, low: 98, close: 98, volume: 525 });
    // The next minute is new to the bucket: all of its volume counts.
    r = mergeCandle(r.series, candle(T0 + 120, 99, { volume: 10, complete: false }), '5m', '1m');
    expect(r.series.candles).toHaveLength(1);
    expect(r.series.candles[0]).toMatchObject({ close: 99, volume: 535 });
    // A minute older than the one folded last changes nothing.
    expect(mergeCandle(r.series, candle(T0 + 60, 50), '5m', '1m').result).toBe('ignored');
  });

  it('opens the next bucket on the grid of the last candle', () => {
    const r = mergeCandle(loaded, candle(T0 + 7 * 60, 104, { volume: 30, complete: false }), '5m', '1m');
    expect(r.result).toBe('appended');
    expect(r.series.candles[1]).toMatchObject({ time: T0 + 300, open: 104, close: 104, volume: 30, complete: false });
  });

  it('leaves a candle the server has closed alone', () => {
    const closed: Series = { candles: [candle(T0, 100, { complete: true })] };
    expect(mergeCandle(closed, candle(T0 + 60, 1), '5m', '1m').result).toBe('ignored');
  });
});

describe('applyTick', () => {
  const live: Series = { candles: [candle(T0, 100, { open: 100, high: 101, low: 99, complete: false })] };

  it('moves the live candle: close to the tick, high/low widened, volume kept', () => {
    let r = applyTick(live, 102.5, T0 + 20, '1m');
    expect(r.result).toBe('replaced');
    expect(r.series.candles[0]).toMatchObject({ open: 100, high: 102.5, low: 99, close: 102.5, volume: 100 });
    r = applyTick(r.series, 98, T0 + 40, '1m');
    expect(r.series.candles[0]).toMatchObject({ high: 102.5, low: 98, close: 98 });
  });

  it('opens a new candle for a tick past the last one, at the start of its minute', () => {
    const r = applyTick(live, 103, T0 + 75, '1m');
    expect(r.result).toBe('appended');
    expect(r.series.candles[1]).toEqual({ time: T0 + 60, open: 103, high: 103, low: 103, close: 103, volume: 0, complete: false });
  });

  it('ignores ticks older than the last candle, inside a closed one, or without a price', () => {
    expect(applyTick(live, 1, T0 - 1, '1m').result).toBe('ignored');
    expect(applyTick({ candles: [candle(T0, 100)] }, 1, T0 + 5, '1m').result).toBe('ignored');
    expect(applyTick(live, Number.NaN, T0 + 5, '1m').result).toBe('ignored');
  });

  it('then lets the minute’s first candle from a bars frame count all of its volume in a longer candle', () => {
    const fiveMin: Series = { candles: [candle(T0, 100, { volume: 500, complete: false })] };
    let r = applyTick(fiveMin, 101, T0 + 300 + 5, '5m');
    expect(r.series.candles[1]).toMatchObject({ time: T0 + 300, volume: 0 });
    r = mergeCandle(r.series, candle(T0 + 300, 101, { volume: 12, complete: false }), '5m', '1m');
    expect(r.series.candles[1]).toMatchObject({ volume: 12 });
  });
});

describe('IST time on the chart', () => {
  it('shifts UTC seconds so the chart, which reads every time as UTC, shows Asia/Kolkata time', () => {
    const shifted = new Date(chartTime(T0) * 1000);
    expect([shifted.getUTCHours(), shifted.getUTCMinutes()]).toEqual([9, 15]);
    // The same wall time Intl gives for Asia/Kolkata, across a day boundary too (23:00 UTC = 04:30 IST next day).
    for (const utc of [T0, Date.UTC(2026, 11, 31, 23, 0) / 1000, Date.UTC(2027, 5, 15, 12, 0) / 1000]) {
      const ist = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Kolkata',
        dateStyle: 'short',
        timeStyle: 'short',
      }).format(new Date(utc * 1000));
      const drawn = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'short', timeStyle: 'short' }).format(
        new Date(chartTime(utc) * 1000),
      );
      expect(drawn).toBe(ist);
    }
    expect(utcFromChartTime(chartTime(T0))).toBe(T0);
  });

  it('reads a tick time as UTC epoch seconds', () => {
    expect(epochSeconds('2026-11-30T03:45:30Z')).toBe(T0 + 30);
    expect(epochSeconds('2026-11-30T09:15:30+05:30')).toBe(T0 + 30);
    expect(epochSeconds('2026-11-30T03:45:30.900')).toBe(T0 + 30);
    expect(epochSeconds('nope')).toBeNull();
    expect(epochSeconds(undefined)).toBeNull();
  });
});
