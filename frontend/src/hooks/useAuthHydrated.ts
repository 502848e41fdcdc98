'use client';

import { useEffect } from 'react';

import { followOtherTabs, hydrateAuth, useAuthStore } from '@/stores/auth';

/**
 * Restores the session after mount (a refresh through the HttpOnly cookie) and returns true once it is known.
 * Until then, render a neutral placeholder: the static HTML was built without a session.
 * Also follows sign-ins and sign-outs made in other tabs.
 */
export function useAuthHydrated(): boolean {
  const hydrated = useAuthStore((s) => s.hydrated);

  useEffect(() => {
    void hydrateAuth();
    return followOtherTabs();
  }, []);

  return hydrated;
}
