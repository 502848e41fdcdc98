/**
 * The chart's candles as a reducer: a load (GET /market/bars) replaces them; `bars` and
 * `prices` frames then keep the last one live. Events that arrive while a load is in flight
 * are held and applied over the loaded candles, so an update between the server's read and the
 * answer's arrival (e.g. the minute closing) is not lost. Every action names the load it belongs
 * to (`key`): a late answer for another token or interval changes nothing.
 */
import { applyTick, INTERVAL_SECONDS, mergeCandle, type BarInterval, type Candle, type Series } from './bars';

export type LiveEvent =
  | { type: 'bar'; candle: Candle; candleInterval: BarInterval }
  | { type: 'tick'; price: number; time: number };

export type LiveBarsAction =
  | { type: 'load'; key: string; interval: BarInterval }
  | { type: 'loaded'; key: string; candles: Candle[] }
  | { type: 'failed'; key: string; error: string }
  | ({ key: string } & LiveEvent);

export interface LiveBarsState {
  key: string | null;
  interval: BarInterval;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  series: Series;
  /** Counts loads that finished: the chart redraws every candle when it changes. */
  loads: number;
  /** Counts live changes to the last candle: the chart redraws that candle when it changes. */
  updates: number;
  /** Events received during the load in flight. */
  held: LiveEvent[];
}

export const initialLiveBars: LiveBarsState = {
  key: null,
  interval: '1m',
  status: 'idle',
  error: null,
  series: { candles: [] },
  loads: 0,
  updates: 0,
  held: [],
};

/** The series after one live event (`changed` false when it was ignored). */
function applyEvent(series: Series, event: LiveEvent, interval: BarInterval): { series: Series; changed: boolean } {
  if (event.type === 'tick') {
    const r = applyTick(series, event.price, event.time, interval);
    return { series: r.series, changed: r.result !== 'ignored' };
  }
  // A candle longer than the chart's cannot be split into the chart's candles.
  if (INTERVAL_SECONDS[event.candleInterval] > INTERVAL_SECONDS[interval]) return { series, changed: false };
  const r = mergeCandle(series, event.candle, interval, event.candleInterval);
  return { series: r.series, changed: r.result !== 'ignored' };
}

export function liveBarsReducer(state: LiveBarsState, action: LiveBarsAction): LiveBarsState {
  if (action.type === 'load') {
    // A reload of the same candles keeps them on screen until the answer replaces them.
    const same = action.key === state.key || (state.key !== null && sameChart(state.key, action.key));
    return {
      ...state,
      key: action.key,
      interval: action.interval,
      status: 'loading',
      error: null,
      series: same ? state.series : { candles: [] },
      loads: same ? state.loads : state.loads + 1,
      held: [],
    };
  }
  if (action.key !== state.key) return state;
  switch (action.type) {
    case 'loaded': {
      let series: Series = { candles: action.candles };
      for (const e of state.held) series = applyEvent(series, e, state.interval).series;
      return { ...state, status: 'ready', series, loads: state.loads + 1, held: [] };
    }
    case 'failed':
      return { ...state, status: 'error', error: action.error, held: [] };
    default: {
      const event: LiveEvent =
        action.type === 'tick'
          ? { type: 'tick', price: action.price, time: action.time }
          : { type: 'bar', candle: action.candle, candleInterval: action.candleInterval };
      if (state.status === 'loading') return { ...state, held: [...state.held, event] };
      if (state.status !== 'ready') return state;
      const r = applyEvent(state.series, event, state.interval);
      return r.changed ? { ...state, series: r.series, updates: state.updates + 1 } : state;
    }
  }
}

/** Load keys are `token:interval:n` (n counts reloads): the same chart when all but n match. */
function sameChart(a: string, b: string): boolean {
  return a.split(':').slice(0, 2).join(':') === b.split(':').slice(0, 2).join(':');
}

export const loadKey = (tokenId: number, interval: BarInterval, reloads: number) => `${tokenId}:${interval}:${reloads}`;
