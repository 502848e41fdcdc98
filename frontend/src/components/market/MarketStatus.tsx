'use client';

import { useEffect, useMemo, useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { MarketStatus as Status } from '@/lib/api-types';
import { clockOffset, countdownTarget, countdownText, formatOpenIST, phaseText } from '@/lib/market-status';

// A fresh look now and then, besides the one at each open or close, so an admin's override shows up.
const REFRESH_MS = 5 * 60_000;

/**
 * GET /market/status, kept live: `serverNow` ticks every second on the server's clock, and the status is
 * fetched again when the countdown runs out (the phase changes) and every few minutes.
 */
export function useMarketStatus(exchange: 'NSE' | 'BSE' = 'NSE', enabled = true) {
  const { data, error, reload } = useApiData<Status>(enabled ? `market-status:${exchange}` : null, (signal) =>
    call(client.GET('/api/v1/market/status', { params: { query: { exchange } }, signal })),
  );
  // Measured when the answer arrives, in the same render, so no frame counts on the browser's own clock.
  const clock = useMemo(() => {
    const receivedAt = Date.now();
    return { receivedAt, offset: data ? clockOffset(data, receivedAt) : 0 };
  }, [data]);
  const [browserNow, setBrowserNow] = useState(() => Date.now());
  const serverNow = Math.max(browserNow, clock.receivedAt) + clock.offset;

  useEffect(() => {
    if (!enabled) return;
    const tick = setInterval(() => setBrowserNow(Date.now()), 1000);
    const refresh = setInterval(reload, REFRESH_MS);
    return () => {
      clearInterval(tick);
      clearInterval(refresh);
    };
  }, [enabled, reload]);

  // Past the open or close it counted down to: the phase has changed, ask again (once per boundary).
  const due = data ? Date.parse(countdownTarget(data).at) <= serverNow : false;
  useEffect(() => {
    if (due) reload();
  }, [due, reload]);

  return { status: data, error, serverNow };
}

const TONE: Record<Status['phase'], string> = {
  open: 'bg-emerald-500/20 text-emerald-100',
  pre_open: 'bg-amber-500/20 text-amber-100',
  closed: 'bg-slate-700 text-slate-200',
  holiday: 'bg-slate-700 text-slate-200',
  weekend: 'bg-slate-700 text-slate-200',
};

const DOT: Record<Status['phase'], string> = {
  open: 'bg-emerald-400',
  pre_open: 'bg-amber-400',
  closed: 'bg-slate-400',
  holiday: 'bg-slate-400',
  weekend: 'bg-slate-400',
};

/** The header's market phase with a live countdown to the next open or close. */
export function MarketStatus({ enabled }: { enabled: boolean }) {
  const { status, serverNow } = useMarketStatus('NSE', enabled);
  if (!enabled || !status) return null;
  const next = status.phase === 'open' ? `Closes ${formatOpenIST(status.next_close)}` : `Opens ${formatOpenIST(status.next_open)}`;
  const demo = status.simulator_always_open ? ' · the demo simulator trades at any hour' : '';
  return (
    <span
      data-testid="market-status"
      data-phase={status.phase}
      title={`${next}${demo}`}
      className={`inline-flex min-w-0 shrink items-center gap-1.5 truncate rounded-md px-2 py-1 text-xs whitespace-nowrap ${TONE[status.phase]}`}
    >
      <span aria-hidden className={`size-2 shrink-0 rounded-full ${DOT[status.phase]}`} />
      <span data-testid="market-phase">{phaseText(status)}</span>
      <span data-testid="market-countdown" className="font-mono">
        · {countdownText(status, serverNow)}
      </span>
    </span>
  );
}
