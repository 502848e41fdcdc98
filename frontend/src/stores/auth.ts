import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

import type { LoginRequest, TokenPair, User } from '@/lib/api-types';
import { ApiError, request } from '@/lib/http';

export interface AuthState {
  accessToken: string | null;
  refreshToken: string | null;
  user: User | null;
  /** True once the persisted session has been read from localStorage (client only). */
  hydrated: boolean;

  /** POST /auth/login, then GET /auth/me. Rejects with ApiError; state is unchanged on failure. */
  login: (email: string, password: string) => Promise<User>;
  /** Forgets the session (tokens and user) here and in localStorage. */
  logout: () => void;
  /** Ends the session at the server too (every token of the user stops working), then logs out here. */
  signOut: () => Promise<void>;
  /**
   * Trades the refresh token for a new pair. Concurrent callers share one request.
   * Resolves false (and logs out) when the refresh token is missing or rejected.
   */
  refreshTokens: () => Promise<boolean>;
  /** Sets the user from GET /auth/me (through api.ts, so it refreshes on 401). */
  setUser: (user: User) => void;
}

export const AUTH_STORAGE_KEY = 'multidesk-auth';

let refreshInFlight: Promise<boolean> | null = null;

export const useAuthStore = create<AuthState>()(
  persist(
    (set, get) => ({
      accessToken: null,
      refreshToken: null,
      user: null,
      hydrated: false,

      async login(email, password) {
        const body: LoginRequest = { email, password };
        const tokens = await request<TokenPair>('/auth/login', { method: 'POST', body });
        const user = await request<User>('/auth/me', {
          headers: { Authorization: `Bearer ${tokens.access_token}` },
        });
        set({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token, user });
        return user;
      },

      async signOut() {
        const { refreshToken } = get();
        get().logout();
        if (refreshToken === null) return;
        try {
          await request('/auth/logout', { method: 'POST', body: { refresh_token: refreshToken } });
        } catch {
          // Signed out here either way; an unreachable server lets the tokens expire on their own.
        }
      },
      logout() {
        refreshInFlight = null;
        set({ accessToken: null, refreshToken: null, user: null });
      },

      refreshTokens() {
        if (refreshInFlight) return refreshInFlight;
        const refreshToken = get().refreshToken;
        if (!refreshToken) {
          get().logout();
          return Promise.resolve(false);
        }
        const attempt = (async () => {
          try {
            const tokens = await request<TokenPair>('/auth/refresh', {
              method: 'POST',
              body: { refresh_token: refreshToken },
            });
            // A logout while the refresh was in flight wins.
            if (get().refreshToken !== refreshToken) return false;
            set({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
            return true;
          } catch (err) {
            // Keep the session through a network blip; drop it when the server says no.
            if (err instanceof ApiError && err.status === 0) return false;
            if (get().refreshToken === refreshToken) get().logout();
            return false;
          } finally {
            refreshInFlight = null;
          }
        })();
        refreshInFlight = attempt;
        return attempt;
      },

      setUser(user) {
        set({ user });
      },
    }),
    {
      name: AUTH_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: ({ accessToken, refreshToken, user }) => ({ accessToken, refreshToken, user }),
      // Static pages are prerendered without localStorage; read it after mount instead
      // (see useAuthHydrated) so the first client render matches the HTML.
      skipHydration: true,
      onRehydrateStorage: () => () => {
        useAuthStore.setState({ hydrated: true });
      },
    },
  ),
);

/** Reads the persisted session once (idempotent); safe to call from effects. */
export function hydrateAuth(): Promise<void> | void {
  if (useAuthStore.getState().hydrated) return;
  return useAuthStore.persist.rehydrate();
}
