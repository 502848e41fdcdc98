import { describe, expect, it } from 'vitest';

import type { Candle } from './bars';
import { initialLiveBars, liveBarsReducer, loadKey, type LiveBarsAction, type LiveBarsState } from './live-bars';

const T0 = Date.UTC(2026, 10, 30, 3, 45) / 1000;
const c = (time: number, close: number, extra: Partial<Candle> = {}): Candle => ({
  time,
  open: close,
  high: close,
  low: close,
  close,
  volume: 10,
  complete: false,
  ...extra,
});

const run = (actions: LiveBarsAction[], from: LiveBarsState = initialLiveBars) => actions.reduce(liveBarsReducer, from);
const K = loadKey(2885, '1m', 0);

describe('liveBarsReducer', () => {
  it('draws the load, then counts live changes of the last candle', () => {
    let s = run([{ type: 'load', key: K, interval: '1m' }, { type: 'loaded', key: K, candles: [c(T0, 100)] }]);
    expect(s.status).toBe('ready');
    const loads = s.loads;
    s = liveBarsReducer(s, { type: 'tick', key: K, price: 101, time: T0 + 10 });
    s = liveBarsReducer(s, { type: 'bar', key: K, candle: c(T0 + 60, 102), candleInterval: '1m' });
    expect(s.series.candles.map((x) => x.close)).toEqual([101, 102]);
    expect(s.updates).toBe(2);
    expect(s.loads).toBe(loads); // no full redraw for a live change
    // An ignored event is no change at all.
    expect(liveBarsReducer(s, { type: 'tick', key: K, price: 1, time: T0 - 60 })).toBe(s);
  });

  it('holds events that arrive during the load and applies them over its answer', () => {
    const s = run([
      { type: 'load', key: K, interval: '1m' },
      { type: 'bar', key: K, candle: c(T0, 100.5, { complete: true }), candleInterval: '1m' },
      { type: 'tick', key: K, price: 103, time: T0 + 61 },
      { type: 'loaded', key: K, candles: [c(T0, 100)] },
    ]);
    expect(s.series.candles).toEqual([c(T0, 100.5, { complete: true }), c(T0 + 60, 103, { volume: 0 })]);
    expect(s.held).toEqual([]);
  });

  it('ignores answers and events of another token or interval', () => {
    const other = loadKey(2885, '5m', 0);
    const s = run([
      { type: 'load', key: other, interval: '5m' },
      { type: 'load', key: K, interval: '1m' },
      { type: 'loaded', key: other, candles: [c(T0, 1)] },
      { type: 'loaded', key: K, candles: [c(T0, 100)] },
      { type: 'tick', key: other, price: 5, time: T0 + 5 },
    ]);
    expect(s.series.candles).toEqual([c(T0, 100)]);
    expect(s.interval).toBe('1m');
  });

  it('drops a candle longer than the chart’s (it cannot be split into minutes)', () => {
    const s = run([{ type: 'load', key: K, interval: '1m' }, { type: 'loaded', key: K, candles: [c(T0, 100)] }]);
    expect(liveBarsReducer(s, { type: 'bar', key: K, candle: c(T0, 5), candleInterval: '5m' })).toBe(s);
  });

  it('keeps the candles on screen during a reload of the same chart, and clears them for another', () => {
    const loaded = run([{ type: 'load', key: K, interval: '1m' }, { type: 'loaded', key: K, candles: [c(T0, 100)] }]);
    const reloading = liveBarsReducer(loaded, { type: 'load', key: loadKey(2885, '1m', 1), interval: '1m' });
    expect(reloading.series.candles).toHaveLength(1);
    expect(reloading.status).toBe('loading');
    const switched = liveBarsReducer(loaded, { type: 'load', key: loadKey(2885, '5m', 0), interval: '5m' });
    expect(switched.series.candles).toEqual([]);
    expect(switched.loads).toBeGreaterThan(loaded.loads); // the chart is cleared
  });

  it('reports a failed load and ignores live events until the next load', () => {
    const s = run([
      { type: 'load', key: K, interval: '1m' },
      { type: 'failed', key: K, error: 'no candles' },
      { type: 'tick', key: K, price: 5, time: T0 },
    ]);
    expect(s.status).toBe('error');
    expect(s.error).toBe('no candles');
    expect(s.series.candles).toEqual([]);
  });
});
