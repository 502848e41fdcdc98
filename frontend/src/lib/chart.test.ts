import { beforeEach, describe, expect, it, vi } from 'vitest';

import { IST_OFFSET_SECONDS, type Candle } from './bars';

// No canvas under test: a recording stand-in for the library.
const calls = vi.hoisted(() => ({ log: [] as Array<[string, ...unknown[]]> }));
vi.mock('lightweight-charts', () => {
  const series = (name: string) => ({
    setData: (d: unknown) => calls.log.push([`${name}.setData`, d]),
    update: (d: unknown) => calls.log.push([`${name}.update`, d]),
    applyOptions: (o: unknown) => calls.log.push([`${name}.applyOptions`, o]),
    priceScale: () => ({ applyOptions: (o: unknown) => calls.log.push([`${name}.priceScale`, o]) }),
    createPriceLine: (o: { id: string }) => {
      calls.log.push([`${name}.createPriceLine`, o]);
      return { id: o.id };
    },
    removePriceLine: (l: unknown) => calls.log.push([`${name}.removePriceLine`, l]),
  });
  return {
    CandlestickSeries: 'Candlestick',
    HistogramSeries: 'Histogram',
    LineStyle: { Solid: 0, Dashed: 2 },
    createChart: (_el: unknown, options: unknown) => {
      calls.log.push(['createChart', options]);
      return {
        addSeries: (kind: string, o: unknown) => {
          calls.log.push(['addSeries', kind, o]);
          return series(kind);
        },
        applyOptions: (o: unknown) => calls.log.push(['chart.applyOptions', o]),
        timeScale: () => ({
          fitContent: () => calls.log.push(['fitContent']),
          setVisibleLogicalRange: (r: unknown) => calls.log.push(['setVisibleLogicalRange', r]),
        }),
        remove: () => calls.log.push(['remove']),
      };
    },
  };
});

const { createPriceChart, priceFormat } = await import('./chart');

const T0 = Date.UTC(2026, 10, 30, 3, 45) / 1000;
const c = (time: number, open: number, close: number): Candle => ({
  time,
  open,
  high: Math.max(open, close),
  low: Math.min(open, close),
  close,
  volume: 50,
  complete: false,
});
const named = (name: string) => calls.log.filter((l) => l[0] === name);
const container = { clientWidth: 390 } as HTMLElement;

beforeEach(() => {
  calls.log = [];
});

describe('createPriceChart', () => {
  it('draws candles and volume at IST-shifted times, volume coloured by direction', () => {
    const chart = createPriceChart(container);
    chart.setCandles([c(T0, 100, 101), c(T0 + 60, 101, 99)], '1m');
    const [, candles] = named('Candlestick.setData')[0]!;
    expect(candles).toEqual([
      { time: T0 + IST_OFFSET_SECONDS, open: 100, high: 101, low: 100, close: 101 },
      { time: T0 + 60 + IST_OFFSET_SECONDS, open: 101, high: 101, low: 99, close: 99 },
    ]);
    const [, volume] = named('Histogram.setData')[0]! as [string, Array<{ value: number; color: string }>];
    expect(volume.map((v) => v.value)).toEqual([50, 50]);
    expect(volume[0]!.color).not.toBe(volume[1]!.color);
    expect(named('fitContent')).toHaveLength(1);
  });

  it('shows the latest candles that fit when there are many, and hides times on daily candles', () => {
    const chart = createPriceChart(container);
    const many = Array.from({ length: 300 }, (_, i) => c(T0 + i * 86_400, 1, 2));
    chart.setCandles(many, '1d');
    expect(named('setVisibleLogicalRange')[0]![1]).toEqual({ from: 300 - 48, to: 302 });
    expect(named('chart.applyOptions')[0]![1]).toEqual({ timeScale: { timeVisible: false } });
  });

  it('redraws only the last candle on a live update', () => {
    const chart = createPriceChart(container);
    chart.updateLast(c(T0, 100, 102));
    expect(named('Candlestick.update')[0]![1]).toMatchObject({ time: T0 + IST_OFFSET_SECONDS, close: 102 });
    expect(named('Histogram.update')).toHaveLength(1);
    expect(named('Candlestick.setData')).toHaveLength(0);
  });

  it('replaces the price lines: the old ones are removed, trigger lines dashed', () => {
    const chart = createPriceChart(container);
    chart.setPriceLines([
      { id: 'a', price: 1400, title: 'BUY 10 limit', kind: 'buy', dashed: false },
      { id: 'b', price: 1380, title: 'SELL 5 trigger', kind: 'sell', dashed: true },
    ]);
    chart.setPriceLines([{ id: 'c', price: 1390, title: 'Avg long 10', kind: 'avg-long', dashed: false }]);
    expect(named('Candlestick.createPriceLine').map(([, o]) => (o as { lineStyle: number }).lineStyle)).toEqual([0, 2, 0]);
    expect(named('Candlestick.removePriceLine').map(([, l]) => l)).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('keeps the library attribution link off the canvas (it is on the page) and removes the chart on dispose', () => {
    const chart = createPriceChart(container);
    expect(named('createChart')[0]![1]).toMatchObject({ autoSize: true, layout: { attributionLogo: false } });
    chart.dispose();
    expect(named('remove')).toHaveLength(1);
  });
});

describe('priceFormat', () => {
  it('shows as many decimals as the tick size needs, at least two', () => {
    expect(priceFormat('0.05')).toEqual({ type: 'price', precision: 2, minMove: 0.05 });
    expect(priceFormat('0.0025')).toEqual({ type: 'price', precision: 4, minMove: 0.0025 });
    expect(priceFormat('1.00')).toEqual({ type: 'price', precision: 2, minMove: 1 });
    expect(priceFormat(undefined)).toEqual({ type: 'price', precision: 2, minMove: 0.01 });
  });
});
