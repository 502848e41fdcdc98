/**
 * Display formatters for the Indian market.
 *
 * Money arrives from the API as decimal STRINGS (e.g. "12345678901234.56"). We never
 * route them through a JS number: all arithmetic is done on digit strings / BigInt so
 * that paise stay exact for any magnitude.
 */

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal split into sign, integer digits and fraction digits (no exponent). */
interface ParsedDecimal {
  negative: boolean;
  intDigits: string; // no leading zeros, at least "0"
  fracDigits: string; // may be ""
}

/**
 * Parses a decimal string, including the exponent forms Python's `str(Decimal)` can
 * produce ("1E+2", "0E-8"). Throws RangeError on anything else.
 */
export function parseDecimal(value: string): ParsedDecimal {
  const match = DECIMAL_RE.exec(value.trim());
  const [, sign, rawInt = '', rawFrac = '', rawExp] = match ?? [];
  if (!match || (rawInt === '' && rawFrac === '')) {
    throw new RangeError(`Not a decimal number: ${JSON.stringify(value)}`);
  }
  let digits = rawInt + rawFrac;
  let pointPos = rawInt.length; // index in `digits` where the decimal point sits
  if (rawExp !== undefined) {
    const exp = Number(rawExp);
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) {
      throw new RangeError(`Exponent out of range: ${JSON.stringify(value)}`);
    }
    pointPos += exp;
  }
  if (pointPos < 0) {
    digits = '0'.repeat(-pointPos) + digits;
    pointPos = 0;
  } else if (pointPos > digits.length) {
    digits = digits + '0'.repeat(pointPos - digits.length);
  }
  const intDigits = digits.slice(0, pointPos).replace(/^0+/, '') || '0';
  const fracDigits = digits.slice(pointPos);
  return { negative: sign === '-', intDigits, fracDigits };
}

/** Rounds to `decimals` fraction digits, half away from zero (like Decimal ROUND_HALF_UP). */
function roundDecimal(d: ParsedDecimal, decimals: number): ParsedDecimal {
  if (d.fracDigits.length <= decimals) {
    return { ...d, fracDigits: d.fracDigits.padEnd(decimals, '0') };
  }
  const keep = d.fracDigits.slice(0, decimals);
  const roundUp = (d.fracDigits.charCodeAt(decimals) - 48) >= 5;
  let scaled = BigInt(d.intDigits + keep);
  if (roundUp) scaled += 1n;
  const s = scaled.toString().padStart(decimals + 1, '0');
  return {
    negative: d.negative,
    intDigits: s.slice(0, s.length - decimals).replace(/^0+/, '') || '0',
    fracDigits: decimals > 0 ? s.slice(s.length - decimals) : '',
  };
}

/** "1234567" -> "12,34,567" (last three digits, then groups of two). */
export function groupIndian(intDigits: string): string {
  if (intDigits.length <= 3) return intDigits;
  const head = intDigits.slice(0, -3);
  const tail = intDigits.slice(-3);
  return `${head.replace(/\B(?=(\d{2})+(?!\d))/g, ',')},${tail}`;
}

function isZero(d: ParsedDecimal): boolean {
  return /^0*$/.test(d.intDigits) && /^0*$/.test(d.fracDigits);
}

function render(d: ParsedDecimal, prefix: string): string {
  const body = groupIndian(d.intDigits) + (d.fracDigits ? `.${d.fracDigits}` : '');
  const sign = d.negative && !isZero(d) ? '-' : '';
  return `${sign}${prefix}${body}`;
}

export interface FormatINROptions {
  /** Fraction digits to show (rounded half away from zero). Default 2. */
  decimals?: number;
}

/**
 * Formats a decimal string as Indian rupees: "1234567.891" -> "₹12,34,567.89",
 * "-1234.5" -> "-₹1,234.50". Exact for any magnitude. Throws RangeError on
 * input that is not a decimal number.
 */
export function formatINR(value: string, { decimals = 2 }: FormatINROptions = {}): string {
  return render(roundDecimal(parseDecimal(value), decimals), '₹');
}

/**
 * Formats a quantity with Indian grouping: 150000 -> "1,50,000". Accepts numbers,
 * bigints and decimal strings; fraction digits are kept as given (trailing zeros trimmed).
 */
export function formatQty(n: number | bigint | string): string {
  if (typeof n === 'number' && !Number.isFinite(n)) {
    throw new RangeError(`Not a finite quantity: ${n}`);
  }
  const d = parseDecimal(String(n));
  return render({ ...d, fracDigits: d.fracDigits.replace(/0+$/, '') }, '');
}

const IST_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Kolkata',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** ISO 8601 with a date part; a missing zone designator means UTC (the backend stores UTC). */
const HAS_ZONE_RE = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/**
 * Shows an instant in Asia/Kolkata time: "2026-11-23T08:35:09Z" -> "23 Nov 2026, 14:05:09 IST".
 * Timestamps without a zone designator are taken as UTC. Throws RangeError if unparseable.
 */
export function formatTimeIST(isoString: string): string {
  const trimmed = isoString.trim();
  const withZone = trimmed.includes('T') && !HAS_ZONE_RE.test(trimmed) ? `${trimmed}Z` : trimmed;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Not an ISO timestamp: ${JSON.stringify(isoString)}`);
  }
  const parts: Record<string, string> = {};
  for (const p of IST_PARTS.formatToParts(date)) parts[p.type] = p.value;
  return `${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}:${parts.second} IST`;
}

const IST_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Kolkata',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Asia/Kolkata calendar day of an instant, as YYYY-MM-DD (the API's date filters take these). */
export function dayIST(date: Date): string {
  const parts: Record<string, string> = {};
  for (const p of IST_DAY.formatToParts(date)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Money from a decimal string; "—" for null or something that is not a number. */
export function money(value: string | null | undefined): string {
  if (value == null || value === '') return '—';
  try {
    return formatINR(value);
  } catch {
    return '—';
  }
}

export function qty(value: number | string | null | undefined): string {
  if (value == null || value === '') return '—';
  try {
    return formatQty(value);
  } catch {
    return '—';
  }
}

export function time(value: string | null | undefined): string {
  if (!value) return '—';
  try {
    return formatTimeIST(value);
  } catch {
    return value;
  }
}

/** A signed amount as shown: its text ("+₹31.50", "-₹31.50", "₹0.00") and the sign of what is shown. */
export interface Signed {
  text: string;
  /** The sign after rounding to the shown digits: -0.004 shows as "₹0.00" and is 0, not a loss. */
  sign: -1 | 0 | 1;
}

function signed(value: string | null | undefined, decimals: number, prefix: string): Signed | null {
  if (value == null || value === '') return null;
  let d: ParsedDecimal;
  try {
    d = roundDecimal(parseDecimal(value), decimals);
  } catch {
    return null;
  }
  if (isZero(d)) return { text: render({ ...d, negative: false }, prefix), sign: 0 };
  return d.negative ? { text: render(d, prefix), sign: -1 } : { text: `+${render(d, prefix)}`, sign: 1 };
}

/** A P&L or any gain/loss in rupees, with its sign: "+₹31.50", "-₹31.50"; null when not a number. */
export function signedMoney(value: string | null | undefined, decimals = 2): Signed | null {
  return signed(value, decimals, '₹');
}

/** A price change at the instrument's precision: "+12.35", "-0.05", "0.00"; null when not a number. */
export function signedNumber(value: string | null | undefined, decimals = 2): Signed | null {
  return signed(value, decimals, '');
}

/**
 * A percentage change, two decimals: "+1.23%", "-0.45%"; a change that rounds to nothing is "0.00%", never
 * "-0.00%"; "" when not a number.
 */
export function changePct(value: string | null | undefined): string {
  const s = signed(value, 2, '');
  return s ? `${s.text}%` : '';
}

/** How many decimals prices of this tick size need: "0.05" → 2, "0.0025" → 4, "1" → 2 (rupees show paise). */
export function tickDecimals(tick: string | null | undefined): number {
  if (!tick) return 2;
  try {
    return Math.max(2, parseDecimal(tick).fracDigits.replace(/0+$/, '').length);
  } catch {
    return 2;
  }
}
