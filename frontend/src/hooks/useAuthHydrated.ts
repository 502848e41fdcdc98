'use client';

import { useEffect } from 'react';

import { AUTH_STORAGE_KEY, hydrateAuth, useAuthStore } from '@/stores/auth';

/**
 * Reads the persisted session after mount and returns true once it is known.
 * Until then, render a neutral placeholder: the static HTML was built without a session.
 * Also follows logins/logouts made in other tabs.
 */
export function useAuthHydrated(): boolean {
  const hydrated = useAuthStore((s) => s.hydrated);

  useEffect(() => {
    void hydrateAuth();
    const onStorage = (e: StorageEvent) => {
      if (e.key === AUTH_STORAGE_KEY) void useAuthStore.persist.rehydrate();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  return hydrated;
}
