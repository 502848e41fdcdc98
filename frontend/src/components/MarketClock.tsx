'use client';

import { useEffect, useState } from 'react';

import { call, client } from '@/lib/api';
import type { MarketClock as Clock } from '@/lib/api-types';
import { onRealtime } from '@/lib/realtime';
import { applyTick, formatMarketTime } from '@/lib/replay';

/**
 * The header's market clock, shown only while the market data is a replay: the replayed time in Indian
 * time (from GET /market/clock, then each `market_clock` socket tick), and "paused" when it is.
 */
export function MarketClock({ enabled }: { enabled: boolean }) {
  const [clock, setClock] = useState<Clock | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    call(client.GET('/api/v1/market/clock'))
      .then((c) => live && setClock(c))
      .catch(() => undefined);
    const off = onRealtime('market_clock', (tick) => setClock((c) => applyTick(c, tick)));
    return () => {
      live = false;
      off();
    };
  }, [enabled]);

  if (!enabled || clock?.source !== 'replay') return null;
  return (
    <span
      data-testid="market-clock"
      data-running={clock.running}
      title="Replayed market time (IST)"
      className="shrink-0 rounded-md bg-amber-500/20 px-2 py-1 font-mono text-xs text-amber-200"
    >
      Replay {formatMarketTime(clock.now)}
      {!clock.running && ' · paused'}
    </span>
  );
}
