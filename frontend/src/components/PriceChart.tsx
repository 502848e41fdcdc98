'use client';

import { useEffect, useMemo, useRef, useState } from 'react';

import { useBars } from '@/hooks/useBars';
import { INTERVALS, type BarInterval } from '@/lib/bars';
import { createPriceChart, type PriceChart as Chart } from '@/lib/chart';
import type { PriceLineSpec } from '@/lib/price-lines';

import { ErrorAlert, Segmented } from './ui';

const INTERVAL_OPTIONS = INTERVALS.map((i) => ({ value: i, label: i }));
const INTERVAL_KEY = 'multidesk.chart.interval';

function savedInterval(): BarInterval {
  try {
    const v = window.localStorage.getItem(INTERVAL_KEY);
    return (INTERVALS as readonly string[]).includes(v ?? '') ? (v as BarInterval) : '1m';
  } catch {
    return '1m';
  }
}

/**
 * Candlesticks with volume for one token, interval 1m–1d, the last candle live, and price lines
 * (open orders, average price). Times in IST. The container carries the chart's state as data
 * attributes (bar count, last candle, updates) for the browser tests.
 */
export function PriceChart({
  tokenId,
  symbol,
  tickSize,
  priceLines,
  testId = 'price-chart',
}: {
  tokenId: number;
  symbol: string;
  tickSize?: string;
  priceLines: readonly PriceLineSpec[];
  testId?: string;
}) {
  const [interval, setIntervalState] = useState<BarInterval>('1m');
  // After mounting, not in the initial state: the pre-rendered HTML knows no saved choice.
  useEffect(() => setIntervalState(savedInterval()), []);
  const chooseInterval = (i: BarInterval) => {
    setIntervalState(i);
    try {
      window.localStorage.setItem(INTERVAL_KEY, i);
    } catch {
      /* private mode: the choice lasts this page only */
    }
  };

  const bars = useBars(tokenId, interval);
  const candles = bars.series.candles;
  const last = candles.at(-1);

  const containerRef = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<Chart | null>(null);
  useEffect(() => {
    if (!containerRef.current) return;
    const c = createPriceChart(containerRef.current);
    setChart(c);
    return () => {
      setChart(null);
      c.dispose();
    };
  }, []);

  useEffect(() => chart?.setTickSize(tickSize), [chart, tickSize]);

  // Every candle on a load; only the last one on a live update (keeps the user's scroll and zoom).
  const candlesRef = useRef(candles);
  candlesRef.current = candles;
  const intervalRef = useRef(bars.interval);
  intervalRef.current = bars.interval;
  useEffect(() => {
    chart?.setCandles(candlesRef.current, intervalRef.current);
  }, [chart, bars.loads]);
  useEffect(() => {
    const c = candlesRef.current.at(-1);
    if (chart && c && bars.updates > 0) chart.updateLast(c);
  }, [chart, bars.updates]);

  const linesKey = JSON.stringify(priceLines);
  const lines = useMemo(() => JSON.parse(linesKey) as PriceLineSpec[], [linesKey]);
  useEffect(() => chart?.setPriceLines(lines), [chart, lines]);

  const empty = bars.status === 'ready' && candles.length === 0;
  return (
    <div
      data-testid={testId}
      data-token-id={tokenId}
      data-interval={bars.interval}
      data-state={bars.status}
      data-bar-count={candles.length}
      data-last-start={last ? new Date(last.time * 1000).toISOString() : ''}
      data-last-close={last ? String(last.close) : ''}
      data-last-volume={last ? String(last.volume) : ''}
      data-updates={bars.updates}
      data-price-lines={lines.length}
      className="min-w-0"
    >
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">
          {symbol} <span className="text-xs font-normal text-slate-500">candles · IST</span>
        </h2>
        <div className="w-full sm:w-auto">
          <Segmented<BarInterval>
            label="Chart interval"
            testId={`${testId}-interval`}
            value={interval}
            options={INTERVAL_OPTIONS}
            onChange={chooseInterval}
          />
        </div>
      </div>
      <div className="relative h-64 w-full sm:h-80">
        <div ref={containerRef} className="absolute inset-0" aria-label={`${symbol} price chart`} role="img" />
        {(bars.status === 'loading' && candles.length === 0) || empty ? (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-sm text-slate-500">
            {empty ? 'No candles yet: they start with the next trade.' : 'Loading candles…'}
          </p>
        ) : null}
      </div>
      {bars.status === 'error' && (
        <div className="mt-2">
          <ErrorAlert error={`Candles: ${bars.error ?? 'unavailable'}`} onRetry={bars.reload} testId={`${testId}-error`} />
        </div>
      )}
      <p className="text-right text-xs text-slate-500">
        <a
          href="https://www.tradingview.com/"
          target="_blank"
          rel="noopener noreferrer"
          className="inline-flex min-h-11 items-center hover:underline"
        >
          Charts by TradingView Lightweight Charts™
        </a>
      </p>
    </div>
  );
}
