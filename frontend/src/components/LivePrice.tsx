'use client';

import { FLASH_CLASS, useTickFlash } from '@/components/market/useTickFlash';
import type { Instrument } from '@/lib/api-types';
import { changePct, money, signedNumber, tickDecimals, time } from '@/lib/format';
import { useQuotesStore } from '@/stores/quotes';

import { SIGN_TONE } from './ui';

/**
 * The instrument's last price, flashing green or red as it ticks up or down, its change since the previous close
 * at the instrument's precision ("+12.35 (+0.87%)", never "-0.00%") and the quote's time, live from the quotes store.
 */
export function LivePrice({ instrument, testId = 'live-price' }: { instrument: Instrument; testId?: string }) {
  const quote = useQuotesStore((s) => s.quotes[instrument.token_id]);
  const { flash, n } = useTickFlash(quote?.ltp);
  const change = signedNumber(quote?.change, tickDecimals(instrument.tick_size));
  return (
    <div data-testid={testId} className="min-w-0">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="text-lg font-semibold">{instrument.symbol}</span>
        <span className="text-xs text-slate-500">
          {instrument.exchange} · {instrument.instrument_type} · token {instrument.token_id}
        </span>
      </div>
      <div className="mt-1 flex flex-wrap items-baseline gap-x-3">
        <span
          key={n}
          data-testid={`${testId}-ltp`}
          data-flash={flash ?? ''}
          className={`-mx-1 rounded px-1 text-2xl font-semibold whitespace-nowrap tabular-nums transition-colors duration-700 ${FLASH_CLASS[flash ?? 'none']}`}
        >
          {quote ? money(quote.ltp) : '—'}
        </span>
        {quote && change && (
          <span data-testid={`${testId}-change`} className={`text-sm whitespace-nowrap tabular-nums ${SIGN_TONE[change.sign]}`}>
            {change.text} ({changePct(quote.change_pct)})
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
