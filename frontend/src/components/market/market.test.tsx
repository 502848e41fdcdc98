// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Instrument, PriceUpdate, Quote } from '@/lib/api-types';
import { useQuotesStore } from '@/stores/quotes';

import { LivePrice } from '../LivePrice';
import { QuoteDetails } from './QuoteDetails';
import { FLASH_MS } from './useTickFlash';

const RELIANCE: Instrument = {
  token_id: 2885,
  symbol: 'RELIANCE',
  name: 'Reliance Industries',
  exchange: 'NSE',
  instrument_type: 'EQ',
  lot_size: 1,
  tick_size: '0.05',
  freeze_quantity: null,
};

let second = 0;
const tick = (ltp: string, change = '0', change_pct = '0'): PriceUpdate => ({
  token_id: 2885,
  ltp,
  change,
  change_pct,
  volume: 1200,
  ts: `2026-11-23T09:00:${String(second++).padStart(2, '0')}Z`,
});

const push = (u: PriceUpdate | Quote) => act(() => void useQuotesStore.getState().apply(u));

beforeEach(() => {
  second = 0;
  useQuotesStore.getState().clear();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('LivePrice', () => {
  const ltp = () => screen.getByTestId('live-price-ltp');

  it('flashes green on an up-tick, red on a down-tick, then fades; the first price and a repeat do not flash', () => {
    render(<LivePrice instrument={RELIANCE} />);
    push(tick('1419.00'));
    expect(ltp().dataset.flash).toBe('');
    push(tick('1419.05'));
    expect(ltp().dataset.flash).toBe('up');
    expect(ltp().className).toContain('bg-emerald-100');
    act(() => vi.advanceTimersByTime(FLASH_MS));
    expect(ltp().dataset.flash).toBe('');
    push(tick('1418.95'));
    expect(ltp().dataset.flash).toBe('down');
    expect(ltp().className).toContain('bg-red-100');
    act(() => vi.advanceTimersByTime(FLASH_MS));
    push(tick('1418.95'));
    expect(ltp().dataset.flash).toBe('');
    expect(ltp().textContent).toBe('₹1,418.95');
  });

  it('compares prices as decimals, not as text ("1000" is above "999.95")', () => {
    render(<LivePrice instrument={RELIANCE} />);
    push(tick('999.95'));
    push(tick('1000'));
    expect(ltp().dataset.flash).toBe('up');
  });

  it('shows the change at the tick’s precision and never "-0.00%"', () => {
    render(<LivePrice instrument={RELIANCE} />);
    push(tick('1419.00', '-0.001', '-0.0001'));
    const change = screen.getByTestId('live-price-change');
    expect(change.textContent).toBe('0.00 (0.00%)');
    expect(change.className).not.toContain('text-red-700');
    push(tick('1431.35', '12.3456', '0.86999'));
    expect(change.textContent).toBe('+12.35 (+0.87%)');
    expect(change.className).toContain('text-emerald-700');
    push(tick('1400.00', '-19', '-1.3389'));
    expect(change.textContent).toBe('-19.00 (-1.34%)');
    expect(change.className).toContain('text-red-700');
  });

  it('shows four decimals for an instrument whose tick needs them', () => {
    render(<LivePrice instrument={{ ...RELIANCE, tick_size: '0.0025' }} />);
    push(tick('83.1225', '-0.0025', '-0.003'));
    expect(screen.getByTestId('live-price-change').textContent).toBe('-0.0025 (0.00%)');
  });
});

describe('QuoteDetails', () => {
  const cell = (name: string) => screen.getByTestId(`quote-details-${name}`).textContent;
  const rest = (ltp: string): Quote => ({
    ...tick(ltp, '9', '0.64'),
    open: '1400.00',
    high: '1425.00',
    low: '1395.50',
    prev_close: '1410.00',
  });

  it('shows open, high, low and previous close from the quote, and dashes before one arrives', () => {
    render(<QuoteDetails instrument={RELIANCE} />);
    expect(cell('open')).toBe('—');
    push(rest('1419.00'));
    expect([cell('open'), cell('high'), cell('low'), cell('prev-close'), cell('volume')]).toEqual([
      '₹1,400.00',
      '₹1,425.00',
      '₹1,395.50',
      '₹1,410.00',
      '1,200',
    ]);
  });

  it('moves the day’s high and low with the last price between quotes', () => {
    render(<QuoteDetails instrument={RELIANCE} />);
    push(rest('1419.00'));
    push(tick('1430.10'));
    expect(cell('high')).toBe('₹1,430.10');
    push(tick('1390.00'));
    expect(cell('low')).toBe('₹1,390.00');
    expect(cell('high')).toBe('₹1,425.00');
  });

  it('shows bid and ask when the feed sends them, a dash with the reason when it does not', () => {
    render(<QuoteDetails instrument={RELIANCE} />);
    push(rest('1419.00'));
    expect(cell('bid')).toBe('—');
    expect(screen.getByTestId('quote-details-bid').parentElement?.title).toMatch(/no bid\/ask/);
    push({ ...tick('1419.05'), bid: '1419.00', ask: '1419.10' });
    expect([cell('bid'), cell('ask')]).toEqual(['₹1,419.00', '₹1,419.10']);
  });

  it('takes bid and ask from GET /market/quotes, follows them on every tick, and drops a stale one', () => {
    render(<QuoteDetails instrument={RELIANCE} />);
    push({ ...rest('1419.00'), bid: '1418.95', ask: '1419.00' });
    expect([cell('bid'), cell('ask')]).toEqual(['₹1,418.95', '₹1,419.00']);
    push({ ...tick('1418.90'), bid: '1418.90', ask: '1419.00' });
    expect([cell('bid'), cell('ask')]).toEqual(['₹1,418.90', '₹1,419.00']);
    // A replayed tape has no book: its null bid/ask replace the old touch instead of showing it beside a new price.
    push({ ...tick('1421.00'), bid: null, ask: null });
    expect([cell('bid'), cell('ask')]).toEqual(['—', '—']);
    expect(screen.getByTestId('quote-details-ask').parentElement?.title).toMatch(/no bid\/ask/);
  });
});
