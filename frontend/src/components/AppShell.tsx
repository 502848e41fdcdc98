'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';

import { useRealtimeConnection } from '@/hooks/useRealtime';
import { useAuthStore } from '@/stores/auth';
import { useRealtimeStore } from '@/stores/realtime';
import { useRiskStore } from '@/stores/risk';

import { MarketClock } from './MarketClock';
import { MarketStatus } from './market/MarketStatus';

interface NavItem {
  href: string;
  label: string;
  adminOnly?: boolean;
  /** Also active on these path prefixes. */
  match?: string[];
}

const NAV: NavItem[] = [
  { href: '/', label: 'Desk', match: ['/exit'] },
  { href: '/clients', label: 'Clients' },
  { href: '/groups', label: 'Groups' },
  { href: '/orders', label: 'Orders' },
  { href: '/book', label: 'Book' },
  { href: '/admin', label: 'Admin', adminOnly: true },
];

function isActive(item: NavItem, pathname: string): boolean {
  const prefixes = [item.href, ...(item.match ?? [])];
  return prefixes.some((p) => (p === '/' ? pathname === '/' : pathname === p || pathname.startsWith(`${p}/`)));
}

function NavLinks({ items, pathname, className }: { items: NavItem[]; pathname: string; className: string }) {
  return (
    <nav aria-label="Main" className={className}>
      {items.map((item) => {
        const active = isActive(item, pathname);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? 'page' : undefined}
            data-testid={`nav-${item.label.toLowerCase()}`}
            className={`inline-flex min-h-11 min-w-11 flex-1 items-center justify-center rounded-lg px-2 text-sm font-medium sm:flex-none sm:px-3 ${
              active ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
            }`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

function RealtimeBanner() {
  const status = useRealtimeStore((s) => s.status);
  const lastError = useRealtimeStore((s) => s.lastError);
  if (status !== 'reconnecting') return null;
  return (
    <div
      role="status"
      data-testid="realtime-status"
      data-status={status}
      title={lastError ?? undefined}
      className="border-b border-amber-300 bg-amber-100 px-4 py-2 text-center text-sm text-amber-900"
    >
      Live updates interrupted — reconnecting…
    </div>
  );
}

const RISK_POLL_MS = 15_000;

/**
 * The kill switch, from GET /risk/status (persisted server-side, so every desk sees the same halt):
 * refetched at once on the `risk_status` socket event and on every socket (re)connect
 * (src/lib/realtime.ts), set at once by the admin's kill switch, refetched when the tab comes back
 * into view, and polled as the fallback while the socket is down.
 */
function HaltBanner({ enabled, userId }: { enabled: boolean; userId: number | undefined }) {
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
  if (!status || status.halts.length === 0) return null;
  const firm = status.halts.find((h) => h.scope === 'firm');
  const mine = status.halts.find((h) => h.scope === 'advisor' && h.advisor_id === userId);
  const text = firm
    ? `Trading is halted firm-wide${firm.reason ? `: ${firm.reason}` : ''}.`
    : status.you_are_halted
      ? `Trading is halted for your clients${mine?.reason ? `: ${mine.reason}` : ''}.`
      : // Only an admin is shown other advisors' halts (GET /risk/status scopes them per user).
        `Trading is halted for ${status.halts.length} advisor${status.halts.length > 1 ? 's' : ''}.`;
  return (
    <div
      role="alert"
      data-testid="halt-banner"
      data-scope={firm ? 'firm' : 'advisor'}
      className="border-b border-red-300 bg-red-100 px-4 py-2 text-center text-sm font-medium break-words text-red-900"
    >
      {text} New orders are refused; exits still work.
    </div>
  );
}

/** Header (brand, navigation, who is signed in, logout), the realtime banner and the main column. */
export function AppShell({ children }: { children: ReactNode }) {
  const user = useAuthStore((s) => s.user);
  const signOut = useAuthStore((s) => s.signOut);
  const pathname = usePathname();
  useRealtimeConnection(user !== null);

  const items = NAV.filter((item) => !item.adminOnly || user?.role === 'admin');
  const realtime = useRealtimeStore((s) => s.status);

  return (
    <div className="flex min-h-dvh flex-col" data-realtime={realtime}>
      <header className="sticky top-0 z-20 border-b border-slate-800 bg-slate-900 text-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 px-4 py-1.5 sm:h-14 sm:flex-nowrap sm:py-0">
          <Link
            href="/"
            className="-mx-2 inline-flex min-h-11 items-center px-2 text-lg font-semibold tracking-tight"
          >
            MultiDesk
          </Link>
          <NavLinks
            items={items}
            pathname={pathname}
            className="order-last flex w-full gap-1 pt-1 sm:order-none sm:ml-4 sm:w-auto sm:pt-0"
          />
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <MarketClock enabled={user !== null} />
            <MarketStatus enabled={user !== null} />
            {user && (
              <span
                data-testid="shell-user"
                data-role={user.role}
                className="hidden min-w-0 truncate text-sm text-slate-300 md:block"
              >
                {user.full_name} <span className="text-slate-400">· {user.role}</span>
              </span>
            )}
            <button
              type="button"
              onClick={() => void signOut()}
              className="inline-flex min-h-11 min-w-11 shrink-0 items-center justify-center rounded-lg border border-slate-600 px-4 text-sm font-medium hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white"
            >
              Log out
            </button>
          </div>
        </div>
      </header>
      <HaltBanner enabled={user !== null} userId={user?.id} />
      <RealtimeBanner />
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-5">{children}</main>
    </div>
  );
}
