'use client';

import type { Instrument } from '@/lib/api-types';

import { LivePrice } from '../LivePrice';
import { QuoteDetails } from '../market/QuoteDetails';
import { TokenSearch } from '../TokenSearch';
import { Card } from '../ui';

/**
 * The desk's instrument: the search box and, once chosen, its live price and the day's figures beside the ticket. The hint speaks of arrow
 * keys only where there is a keyboard (md and up); on the phone the list is tapped.
 */
export function InstrumentPicker({
  instrument,
  error,
  onSelect,
}: {
  instrument: Instrument | null;
  error: string | null;
  onSelect: (instrument: Instrument) => void;
}) {
  return (
    <Card>
      <TokenSearch onSelect={onSelect} />
      <div className="mt-3" data-testid="selected-instrument" data-token-id={instrument?.token_id ?? ''}>
        {instrument ? (
          <LivePrice instrument={instrument} />
        ) : (
          <p className="text-sm text-slate-500" data-testid="instrument-hint">
            {error ?? (
              <>
                <span className="md:hidden">Search for an instrument: type its symbol, then tap it in the list.</span>
                <span className="hidden md:inline">Search for an instrument to trade: type, then ↓ and Enter.</span>
              </>
            )}
          </p>
        )}
      </div>
      {instrument && <QuoteDetails instrument={instrument} />}
    </Card>
  );
}
