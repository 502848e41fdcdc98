'use client';

import type { Instrument } from '@/lib/api-types';
import { signOf } from '@/lib/decimal';
import { money, time } from '@/lib/format';
import { useQuotesStore } from '@/stores/quotes';



function pct(value: string | undefined): string {
  if (!value) return '';
  const n = value.startsWith('-') || value.startsWith('+') ? value : `+${value}`;
  return `${n}%`;
}

/** The instrument's last price, change and time, live from the quotes store. */
export function LivePrice({ instrument, testId = 'live-price' }: { instrument: Instrument; testId?: string }) {
  const quote = useQuotesStore((s) => s.quotes[instrument.token_id]);
  let tone = 'text-slate-600';
  try {
    const s = quote ? signOf(quote.change) : 0;
    tone = s > 0 ? 'text-emerald-700' : s < 0 ? 'text-red-700' : 'text-slate-600';
  } catch {
    /* no change known */
  }
  return (
    <div data-testid={testId} className="min-w-0">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="text-lg font-semibold">{instrument.symbol}</span>
        <span className="text-xs text-slate-500">
          {instrument.exchange} · {instrument.instrument_type} · token {instrument.token_id}
        </span>
      </div>
      <div className="mt-1 flex flex-wrap items-baseline gap-x-3">
        <span data-testid={`${testId}-ltp`} className="text-2xl font-semibold tabular-nums">
          {quote ? money(quote.ltp) : '—'}
        </span>
        {quote && (
          <span className={`text-sm tabular-nums ${tone}`}>
            {quote.change && !quote.change.startsWith('-') ? '+' : ''}
            {quote.change} ({pct(quote.change_pct)})
          </span>
        )}
      </div>
      <p className="mt-0.5 text-xs text-slate-500">
        {quote ? `as of ${time(quote.ts)}` : 'Waiting for a price…'} · lot {instrument.lot_size} · tick{' '}
        {instrument.tick_size}
      </p>
    </div>
  );
}
