/**
 * Drawing candles with TradingView's lightweight-charts: one chart with a candlestick series, a
 * volume histogram under it (an overlay on the bottom fifth) and price lines. The component keeps
 * the data; this module only turns it into the library's calls, so it can be tested with the
 * library mocked (there is no canvas under test).
 *
 * Times are drawn in IST: the library has no time zones and shows every time as UTC, so each
 * candle's UTC time is shifted by +05:30 (`chartTime`).
 *
 * Attribution (the library's licence): TradingView Lightweight Charts™, Copyright (c) TradingView,
 * Inc. https://www.tradingview.com/ — the page links to it under the chart.
 */
import {
  CandlestickSeries,
  createChart,
  HistogramSeries,
  LineStyle,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';

import { chartTime, type BarInterval, type Candle } from './bars';
import { PRICE_LINE_COLOR, type PriceLineSpec } from './price-lines';

const UP = '#059669';
const DOWN = '#dc2626';
const UP_VOLUME = 'rgba(5, 150, 105, 0.45)';
const DOWN_VOLUME = 'rgba(220, 38, 38, 0.45)';

export interface PriceChart {
  /** Replaces every candle (a load, or another interval). */
  setCandles(candles: readonly Candle[], interval: BarInterval): void;
  /** Redraws the last candle, or adds one after it (a live update). */
  updateLast(candle: Candle): void;
  /** Draws exactly these price lines (the previous ones are removed). */
  setPriceLines(lines: readonly PriceLineSpec[]): void;
  /** Price labels to the instrument's tick size. */
  setTickSize(tickSize: string | undefined): void;
  dispose(): void;
}

const asTime = (utcSeconds: number) => chartTime(utcSeconds) as UTCTimestamp;

function candlePoint(c: Candle) {
  return { time: asTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close };
}

function volumePoint(c: Candle) {
  return { time: asTime(c.time), value: c.volume, color: c.close >= c.open ? UP_VOLUME : DOWN_VOLUME };
}

/** Price format for the candles: as many decimals as a rupee price needs (tick sizes go to 0.05, 0.0025 for currency). */
export function priceFormat(tickSize: string | undefined): { type: 'price'; precision: number; minMove: number } {
  const frac = tickSize?.split('.')[1]?.replace(/0+$/, '') ?? '';
  const precision = Math.max(2, frac.length);
  const minMove = tickSize && Number(tickSize) > 0 ? Number(tickSize) : 10 ** -precision;
  return { type: 'price', precision, minMove };
}

/** Creates the chart inside `container` (it fills the container and follows its size). */
export function createPriceChart(container: HTMLElement): PriceChart {
  const chart: IChartApi = createChart(container, {
    autoSize: true,
    layout: {
      background: { color: '#ffffff' },
      textColor: '#334155',
      fontSize: 11,
      // The attribution link is on the page, under the chart, where it is a real tap target.
      attributionLogo: false,
    },
    grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
    rightPriceScale: { borderColor: '#e2e8f0', scaleMargins: { top: 0.08, bottom: 0.25 } },
    timeScale: { borderColor: '#e2e8f0', timeVisible: true, secondsVisible: false, rightOffset: 3 },
    // Touch: drag pans the chart, pinch zooms; a vertical swipe still scrolls the page.
    handleScroll: { vertTouchDrag: false },
  });
  const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
    priceFormat: priceFormat(undefined),
  });
  const volume: ISeriesApi<'Histogram'> = chart.addSeries(HistogramSeries, {
    priceFormat: { type: 'volume' },
    priceScaleId: '', // an overlay with its own scale, drawn in the bottom fifth
    lastValueVisible: false,
    priceLineVisible: false,
  });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

  let lines: IPriceLine[] = [];

  return {
    setCandles(data, interval) {
      chart.applyOptions({ timeScale: { timeVisible: interval !== '1d' } });
      candles.setData(data.map(candlePoint));
      volume.setData(data.map(volumePoint));
      // The latest candles, as many as fit readably (a phone shows fewer than a desktop).
      const shown = Math.max(20, Math.floor(container.clientWidth / 8));
      if (data.length > shown) chart.timeScale().setVisibleLogicalRange({ from: data.length - shown, to: data.length + 2 });
      else chart.timeScale().fitContent();
    },
    updateLast(c) {
      candles.update(candlePoint(c));
      volume.update(volumePoint(c));
    },
    setPriceLines(specs) {
      for (const l of lines) candles.removePriceLine(l);
      lines = specs.map((s) =>
        candles.createPriceLine({
          id: s.id,
          price: s.price,
          title: s.title,
          color: PRICE_LINE_COLOR[s.kind],
          lineWidth: 1,
          lineStyle: s.dashed ? LineStyle.Dashed : LineStyle.Solid,
          axisLabelVisible: true,
        }),
      );
    },
    setTickSize(tickSize) {
      candles.applyOptions({ priceFormat: priceFormat(tickSize) });
    },
    dispose() {
      lines = [];
      chart.remove();
    },
  };
}
