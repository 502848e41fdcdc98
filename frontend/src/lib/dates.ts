/**
 * Calendar days as people in India write them (dd/mm/yyyy) and as the API takes them (YYYY-MM-DD),
 * and when an order book row shows just the time (today, in IST) or the date (an older day).
 */
import { dayIST } from './format';

const ISO_DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 1/12/2026, 01-12-2026, 01.12.2026: day first, any of the usual separators. */
const TYPED_DAY_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

function isRealDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** "2026-12-01" -> "01/12/2026"; '' stays ''; anything else is returned as it came. */
export function toDisplayDay(iso: string): string {
  const m = ISO_DAY_RE.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/**
 * What a person typed into a dd/mm/yyyy box: the YYYY-MM-DD day, '' for an empty box, or null when
 * it is not a real day in that order (31/02/2026, 12/31/2026, "yesterday").
 */
export function parseDisplayDay(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const m = TYPED_DAY_RE.exec(trimmed);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isRealDay(y, mo, d)) return null;
  return `${m[3]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const IST_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Kolkata',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function instant(iso: string): Date | null {
  const withZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * An order's time for one line of the book: "14:05:09" when it was placed today (IST), else its day
 * "23/11/2026" (the full time is in the row's tooltip).
 */
export function bookTime(iso: string, now: Date): string {
  const at = instant(iso);
  if (!at) return iso;
  const day = dayIST(at);
  return day === dayIST(now) ? IST_CLOCK.format(at) : toDisplayDay(day);
}
