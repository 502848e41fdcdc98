'use client';

import type { Instrument } from '@/lib/api-types';
import { cmp, dec } from '@/lib/decimal';
import { formatINR, qty, tickDecimals } from '@/lib/format';
import { useQuotesStore } from '@/stores/quotes';

function price(value: string | null | undefined, decimals: number): string {
  if (value == null || value === '') return '—';
  try {
    return formatINR(value, { decimals });
  } catch {
    return '—';
  }
}

/** The higher (or lower) of two decimal strings; the known one when the other is missing. */
function extreme(a: string | undefined, b: string | undefined, want: 1 | -1): string | undefined {
  if (a == null) return b;
  if (b == null) return a;
  try {
    return cmp(dec(a), dec(b)) === want ? a : b;
  } catch {
    return a;
  }
}

/**
 * The market beside the ticket: today's open, high and low, the previous close, bid / ask and volume of the
 * instrument, live from the quotes store (seeded from GET /market/quotes, then the socket's ticks). The day's high
 * and low follow the last price when it moves past them between quotes.
 */
export function QuoteDetails({ instrument, testId = 'quote-details' }: { instrument: Instrument; testId?: string }) {
  const quote = useQuotesStore((s) => s.quotes[instrument.token_id]);
  const decimals = tickDecimals(instrument.tick_size);
  const high = extreme(quote?.high, quote?.ltp, 1);
  const low = extreme(quote?.low, quote?.ltp, -1);
  const noDepth = quote != null && quote.bid == null && quote.ask == null;
  const cells: Array<[string, string, string?]> = [
    ['Open', price(quote?.open, decimals)],
    ['High', price(quote?.open == null ? undefined : high, decimals)],
    ['Low', price(quote?.open == null ? undefined : low, decimals)],
    ['Prev close', price(quote?.prev_close, decimals)],
    ['Bid', price(quote?.bid, decimals), noDepth ? 'The price feed sends no bid/ask for this instrument' : undefined],
    ['Ask', price(quote?.ask, decimals), noDepth ? 'The price feed sends no bid/ask for this instrument' : undefined],
    ['Volume', quote ? qty(quote.volume) : '—'],
  ];
  return (
    <dl
      data-testid={testId}
      className="mt-3 grid grid-cols-4 gap-x-3 gap-y-1 border-t border-slate-100 pt-2 text-xs sm:grid-cols-7"
    >
      {cells.map(([label, value, title]) => (
        <div key={label} className="min-w-0" title={title}>
          <dt className="text-slate-500">{label}</dt>
          <dd data-testid={`${testId}-${label.toLowerCase().replace(' ', '-')}`} className="font-medium whitespace-nowrap tabular-nums">
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
