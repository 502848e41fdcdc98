'use client';

import { useEffect } from 'react';

import type { RiskStatus } from '@/lib/api-types';
import { useRiskStore } from '@/stores/risk';

const RISK_POLL_MS = 15_000;

/** What the banner says for this user, or null when no halt covers anything they can see. */
export function haltMessage(status: RiskStatus | null, userId: number | undefined): { scope: 'firm' | 'advisor'; title: string; reason: string | null } | null {
  if (!status || status.halts.length === 0) return null;
  const firm = status.halts.find((h) => h.scope === 'firm');
  if (firm) return { scope: 'firm', title: 'Trading is halted firm-wide', reason: firm.reason || null };
  const mine = status.halts.find((h) => h.scope === 'advisor' && h.advisor_id === userId);
  if (status.you_are_halted) return { scope: 'advisor', title: 'Trading is halted for your clients', reason: mine?.reason || null };
  // Only an admin is shown other advisors' halts (GET /risk/status scopes them per user).
  const n = status.halts.length;
  return { scope: 'advisor', title: `Trading is halted for ${n} advisor${n > 1 ? 's' : ''}`, reason: null };
}

/**
 * The kill switch's banner, from GET /risk/status (persisted server-side, so every desk sees the same halt):
 * refetched at once on the `risk_status` socket event and on every socket (re)connect (src/lib/realtime.ts),
 * set at once by the admin's kill switch, refetched when the tab comes back into view, and polled as the
 * fallback while the socket is down. Solid red with the reason in words: a halted desk must not look ready.
 */
export function HaltBanner({ enabled, userId }: { enabled: boolean; userId: number | undefined }) {
  const status = useRiskStore((s) => s.status);
  useEffect(() => {
    const { refresh, clear } = useRiskStore.getState();
    if (!enabled) {
      clear();
      return;
    }
    void refresh();
    const timer = setInterval(() => void refresh(), RISK_POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled]);

  const message = haltMessage(status, userId);
  if (!message) return null;
  return (
    <div
      role="alert"
      data-testid="halt-banner"
      data-scope={message.scope}
      className="border-b-4 border-red-900 bg-red-700 px-4 py-2 text-white"
    >
      <p className="flex flex-wrap items-baseline justify-center gap-x-2 text-center break-words">
        {/* An inline stop sign: an emoji would depend on the device's fonts. */}
        <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 shrink-0 self-center fill-white">
          <path d="M6.3 1h7.4L19 6.3v7.4L13.7 19H6.3L1 13.7V6.3z" />
          <rect x="5" y="8.75" width="10" height="2.5" className="fill-red-700" />
        </svg>
        <strong className="font-bold">{message.title}</strong>
        {message.reason && (
          <span data-testid="halt-reason-shown">
            — reason: <q className="font-semibold">{message.reason}</q>
          </span>
        )}
        <span className="text-red-100">New orders are refused; exits still work.</span>
      </p>
    </div>
  );
}
