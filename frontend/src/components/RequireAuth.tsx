'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';

import { useAuthHydrated } from '@/hooks/useAuthHydrated';
import { call, client } from '@/lib/api';
import type { Role } from '@/lib/api-types';
import { loginPath } from '@/lib/redirect';
import { useAuthStore } from '@/stores/auth';

import { FullPageStatus } from './FullPageStatus';

interface RequireAuthProps {
  children: ReactNode;
  /** Restrict to these roles (e.g. ['admin']); any signed-in user when omitted. */
  roles?: readonly Role[];
}

/**
 * Renders its children only for a signed-in user; otherwise sends the browser to
 * /login?next=<this page> so a deep link survives the detour. On mount it re-reads
 * GET /auth/me, which also proves the stored token still works (or refreshes it).
 */
export function RequireAuth({ children, roles }: RequireAuthProps) {
  const hydrated = useAuthHydrated();
  const accessToken = useAuthStore((s) => s.accessToken);
  const user = useAuthStore((s) => s.user);
  const signedIn = hydrated && accessToken !== null;
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (hydrated && !signedIn) router.replace(loginPath(pathname + window.location.search));
  }, [hydrated, signedIn, pathname, router]);

  useEffect(() => {
    if (!signedIn) return;
    const controller = new AbortController();
    call(client.GET('/api/v1/auth/me', { signal: controller.signal }))
      .then((me) => useAuthStore.getState().setUser(me))
      // A 401 has already logged out (and the effect above redirects); anything else
      // (network, 5xx) keeps the stored user until the next successful call.
      .catch(() => undefined);
    return () => controller.abort();
  }, [signedIn]);

  if (!signedIn || !user) return <FullPageStatus>Loading…</FullPageStatus>;
  if (roles && !roles.includes(user.role)) {
    return <FullPageStatus>You do not have access to this page.</FullPageStatus>;
  }
  return children;
}
