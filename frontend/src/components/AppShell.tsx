'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';

import { useAuthStore } from '@/stores/auth';

/** Header (brand, who is signed in, logout) and the page's main column. */
export function AppShell({ children }: { children: ReactNode }) {
  const user = useAuthStore((s) => s.user);
  const logout = useAuthStore((s) => s.logout);

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-10 border-b border-slate-800 bg-slate-900 text-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4">
          <Link
            href="/"
            className="-mx-2 inline-flex min-h-11 items-center px-2 text-lg font-semibold tracking-tight"
          >
            MultiDesk
          </Link>
          <div className="ml-auto flex min-w-0 items-center gap-3">
            {user && (
              <span className="hidden min-w-0 truncate text-sm text-slate-300 sm:block">
                {user.full_name} <span className="text-slate-400">· {user.role}</span>
              </span>
            )}
            <button
              type="button"
              onClick={logout}
              className="inline-flex min-h-11 min-w-11 shrink-0 items-center justify-center rounded-lg border border-slate-600 px-4 text-sm font-medium hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white"
            >
              Log out
            </button>
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6">{children}</main>
    </div>
  );
}
