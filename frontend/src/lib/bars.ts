/**
 * Candles for the price chart: parsing GET /market/bars and the socket's `bars` frames, and keeping
 * the series live between loads (a frame's candle merged in, a quote from a `prices` frame moving
 * the last candle).
 *
 * Prices arrive as decimal strings; they become numbers here because they are only drawn (no
 * arithmetic on money happens on these). Times stay UTC epoch seconds; the chart shifts them to
 * Asia/Kolkata when drawing (see `chartTime`).
 */
import { z } from './zod';

export const INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type BarInterval = (typeof INTERVALS)[number];

/** Length of a candle of each interval, in seconds. */
export const INTERVAL_SECONDS: Record<BarInterval, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '1d': 86_400,
};

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const decimal = z.string().regex(DECIMAL_RE, 'a decimal string');
/** An ISO 8601 instant; one without an offset is taken as UTC (the API sends UTC). */
const instant = z.string().transform((s, ctx) => {
  const ms = Date.parse(/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${s}` });
    return z.NEVER;
  }
  return Math.floor(ms / 1000);
});

/** One candle as the API sends it (a GET /market/bars item, the `bar` of a `bars` frame item). */
export const apiBarSchema = z.object({
  start: instant,
  open: decimal,
  high: decimal,
  low: decimal,
  close: decimal,
  volume: z.number().int().nonnegative(),
  complete: z.boolean(),
});

export const barsResponseSchema = z.object({
  token_id: z.number().int(),
  interval: z.enum(INTERVALS),
  bars: z.array(apiBarSchema),
});

export const barUpdateSchema = z.object({
  token_id: z.number().int(),
  interval: z.enum(INTERVALS),
  bar: apiBarSchema,
});

/** A candle ready to draw: `time` is its start in UTC epoch seconds. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  complete: boolean;
}

function toCandle(b: z.infer<typeof apiBarSchema>): Candle {
  return {
    time: b.start,
    open: Number(b.open),
    high: Number(b.high),
    low: Number(b.low),
    close: Number(b.close),
    volume: b.volume,
    complete: b.complete,
  };
}

export interface BarsResponse {
  tokenId: number;
  interval: BarInterval;
  candles: Candle[];
}

/**
 * GET /market/bars's body as candles, oldest first, one per start (the chart refuses unordered or
 * repeated times). Throws a ZodError when the body is not the contract's shape.
 */
export function parseBarsResponse(body: unknown): BarsResponse {
  const r = barsResponseSchema.parse(body);
  const byStart = new Map<number, Candle>();
  for (const b of r.bars) byStart.set(b.start, toCandle(b));
  const candles = [...byStart.values()].sort((a, b) => a.time - b.time);
  return { tokenId: r.token_id, interval: r.interval, candles };
}

export interface BarUpdate {
  tokenId: number;
  interval: BarInterval;
  candle: Candle;
}

/** One item of a `bars` frame, or null when it is not one (a malformed item is dropped, not thrown). */
export function parseBarUpdate(payload: unknown): BarUpdate | null {
  const r = barUpdateSchema.safeParse(payload);
  if (!r.success) return null;
  return { tokenId: r.data.token_id, interval: r.data.interval, candle: toCandle(r.data.bar) };
}

/** The well-formed items of a `bars` frame for one token, in the frame's order (a close before the next minute). */
export function parseBarsFrame(payload: unknown, tokenId: number): BarUpdate[] {
  const items = (payload as { bars?: unknown } | null)?.bars;
  if (!Array.isArray(items)) return [];
  const out: BarUpdate[] = [];
  for (const item of items) {
    const u = parseBarUpdate(item);
    if (u && u.tokenId === tokenId) out.push(u);
  }
  return out;
}

/** What a live update did to the series. */
export type MergeResult = 'replaced' | 'appended' | 'ignored';

export interface Series {
  candles: Candle[];
  /**
   * The 1-minute candle last folded into the last candle of a longer interval, so a repeated
   * update of the same minute replaces its volume instead of adding it again.
   */
  minute?: { time: number; volume: number };
}

/** The bucket of `interval` that `time` falls in, on the grid the series' last candle sits on. */
function bucketStart(series: Series, time: number, interval: BarInterval): number {
  const len = INTERVAL_SECONDS[interval];
  const last = series.candles.at(-1);
  // The server decides where buckets start (e.g. a day's start); stepping from its last candle keeps to that grid.
  const origin = last ? last.time : 0;
  return origin + Math.floor((time - origin) / len) * len;
}

/**
 * The series with a live candle merged in: a candle with the last one's start replaces it, a newer
 * one is appended, an older one changes nothing. For intervals longer than the update's (the
 * socket sends the live 1-minute candle), the minute is folded into its bucket instead: high/low
 * widened, close moved, its volume counted once.
 */
export function mergeCandle(
  series: Series,
  candle: Candle,
  interval: BarInterval,
  candleInterval: BarInterval = interval,
): { series: Series; result: MergeResult } {
  const last = series.candles.at(-1);
  if (candleInterval === interval) {
    if (!last || candle.time > last.time) {
      return { series: { candles: [...series.candles, candle] }, result: 'appended' };
    }
    if (candle.time === last.time) {
      return { series: { candles: [...series.candles.slice(0, -1), candle] }, result: 'replaced' };
    }
    return { series, result: 'ignored' };
  }

  const start = bucketStart(series, candle.time, interval);
  if (!last || start > last.time) {
    const fresh: Candle = { ...candle, time: start, complete: false };
    return {
      series: { candles: [...series.candles, fresh], minute: { time: candle.time, volume: candle.volume } },
      result: 'appended',
    };
  }
  if (start < last.time) return { series, result: 'ignored' };

  const seen = series.minute;
  if (last.complete || (seen && candle.time < seen.time)) return { series, result: 'ignored' };
  let volume: number;
  if (seen && seen.time === candle.time) volume = last.volume - seen.volume + candle.volume; // the same minute, newer
  else if (seen) volume = last.volume + candle.volume; // the bucket's next minute
  // First minute since a load: the server's bucket already counts its volume up to the load, so
  // only its later increases are added (at most one update's worth is missed until the next load).
  else volume = last.volume;
  const merged: Candle = {
    time: last.time,
    open: last.open,
    high: Math.max(last.high, candle.high),
    low: Math.min(last.low, candle.low),
    close: candle.close,
    volume: Math.max(volume, 0),
    complete: false,
  };
  return {
    series: { candles: [...series.candles.slice(0, -1), merged], minute: { time: candle.time, volume: candle.volume } },
    result: 'replaced',
  };
}

/**
 * The series after a trade tick at `price` (UTC epoch seconds `time`): the last candle's close
 * moves and its high/low widen; a tick past the last candle's end opens a new one. Ticks older than
 * the last candle, or inside one the server has closed, change nothing. Volume is left to `bars` frames.
 */
export function applyTick(
  series: Series,
  price: number,
  time: number,
  interval: BarInterval,
): { series: Series; result: MergeResult } {
  if (!Number.isFinite(price) || price <= 0) return { series, result: 'ignored' };
  const last = series.candles.at(-1);
  const start = bucketStart(series, time, interval);
  if (!last || start > last.time) {
    const fresh: Candle = { time: start, open: price, high: price, low: price, close: price, volume: 0, complete: false };
    // Its minute has no volume counted yet: the minute's first candle from a `bars` frame adds all of its volume.
    const minute = { time: Math.floor(time / 60) * 60, volume: 0 };
    return { series: { candles: [...series.candles, fresh], minute }, result: 'appended' };
  }
  if (start < last.time || last.complete) return { series, result: 'ignored' };
  const moved: Candle = { ...last, close: price, high: Math.max(last.high, price), low: Math.min(last.low, price) };
  return { series: { ...series, candles: [...series.candles.slice(0, -1), moved] }, result: 'replaced' };
}

/** Asia/Kolkata is UTC+05:30 all year (India keeps no daylight saving time). */
export const IST_OFFSET_SECONDS = 5.5 * 3600;

/**
 * The time to give lightweight-charts for a UTC epoch second. The library draws every time as if
 * it were UTC and has no time zones, so the times are shifted: the axis then reads IST.
 */
export const chartTime = (utcSeconds: number): number => utcSeconds + IST_OFFSET_SECONDS;

/** The inverse of `chartTime` (e.g. for a time the chart reports back). */
export const utcFromChartTime = (chartSeconds: number): number => chartSeconds - IST_OFFSET_SECONDS;

/** `time` of an ISO instant in UTC epoch seconds (a `prices` frame's ts), or null. */
export function epochSeconds(iso: string | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
