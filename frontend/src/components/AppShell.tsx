'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

import { useRealtimeConnection } from '@/hooks/useRealtime';
import { useAuthStore } from '@/stores/auth';
import { useRealtimeStore } from '@/stores/realtime';

import { HaltBanner } from './HaltBanner';
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

/**
 * One navigation for both sizes: in the header from `sm` up, and on a phone a tab bar fixed to the bottom
 * (thumb reach, and the content gets the screen instead of a two-row header).
 */
function NavLinks({ items, pathname }: { items: NavItem[]; pathname: string }) {
  return (
    <nav
      aria-label="Main"
      data-testid="main-nav"
      className="fixed inset-x-0 bottom-0 z-30 flex border-t border-slate-700 bg-slate-900 pb-[env(safe-area-inset-bottom)] sm:static sm:z-auto sm:ml-4 sm:gap-1 sm:border-0 sm:bg-transparent sm:pb-0"
    >
      {items.map((item) => {
        const active = isActive(item, pathname);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? 'page' : undefined}
            data-testid={`nav-${item.label.toLowerCase()}`}
            className={`inline-flex min-h-12 min-w-11 flex-1 items-center justify-center px-1 text-xs font-medium sm:min-h-11 sm:flex-none sm:rounded-lg sm:px-3 sm:text-sm ${
              active
                ? 'border-t-2 border-white bg-slate-800 text-white sm:border-0 sm:bg-slate-700'
                : 'border-t-2 border-transparent text-slate-300 hover:bg-slate-800 hover:text-white sm:border-0'
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

/**
 * Header (brand, navigation, who is signed in, logout), the halt and realtime banners and the main column,
 * using the full width of the screen. On a phone the header is one slim row and the navigation a bottom tab bar.
 */
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
        <div className="flex h-12 items-center gap-x-3 px-3 sm:h-14 sm:px-4 lg:px-6">
          <Link
            href="/"
            className="-mx-2 inline-flex min-h-11 items-center px-2 text-lg font-semibold tracking-tight"
          >
            MultiDesk
          </Link>
          <NavLinks items={items} pathname={pathname} />
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
      {/* Bottom padding on a phone: the tab bar must not cover the end of the page. */}
      <main className="w-full flex-1 px-4 pt-3 pb-20 sm:pt-4 sm:pb-6 lg:px-6">{children}</main>
    </div>
  );
}
