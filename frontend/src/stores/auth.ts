/**
 * The signed-in session. The access token lives in memory only; the refresh token never reaches
 * JavaScript at all: the backend keeps it in an HttpOnly, Secure, SameSite=Strict cookie scoped to
 * /api/v1/auth, which the browser sends with the auth calls below. Nothing of the session is written
 * to localStorage or sessionStorage, so a script injected into the page finds no token at rest.
 *
 * A page load (or reload) asks /auth/refresh for a fresh access token through the cookie
 * (hydrateAuth); that is how a reload keeps the user signed in.
 */
import { create } from 'zustand';

import type { LoginRequest, TokenPair, User } from '@/lib/api-types';
import { ApiError, request } from '@/lib/http';

export interface AuthState {
  accessToken: string | null;
  user: User | null;
  /** True once the cookie session has been tried on this page load (client only). */
  hydrated: boolean;

  /** POST /auth/login, then GET /auth/me. Rejects with ApiError; state is unchanged on failure. */
  login: (email: string, password: string) => Promise<User>;
  /** Forgets the session here (the access token and user). */
  logout: () => void;
  /** Ends the session at the server too (every token of the user stops working, the cookie is cleared). */
  signOut: () => Promise<void>;
  /**
   * Trades the refresh cookie for a new access token (the cookie rotates). Concurrent callers share one
   * request, and tabs take turns. Resolves false (and logs out) when the server refuses the cookie.
   */
  refreshTokens: () => Promise<boolean>;
  /** Sets the user from GET /auth/me (through api.ts, so it refreshes on 401). */
  setUser: (user: User) => void;
}

/**
 * Marks the web app's auth calls: the backend then keeps the refresh token in the cookie (never in the body),
 * and requires it before it accepts the cookie (a cross-site page cannot send a custom header: CSRF guard).
 */
export const BROWSER_HEADERS = { 'X-Requested-With': 'multidesk' } as const;
/** Tabs of this app tell each other about sign-ins and sign-outs on this channel. */
export const AUTH_CHANNEL = 'multidesk-auth';
const REFRESH_LOCK = 'multidesk-refresh';

let refreshInFlight: Promise<boolean> | null = null;
let hydrating: Promise<void> | null = null;
// Bumped by every login and logout, so an answer to a request sent before one is ignored.
let generation = 0;

/**
 * Runs `task` while holding a lock shared by every tab of this origin: the refresh cookie works once,
 * so two tabs refreshing at once would make the second one's (already spent) cookie fail.
 */
async function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return task();
  let result!: T;
  await locks.request(REFRESH_LOCK, async () => {
    result = await task();
  });
  return result;
}

function tellOtherTabs(message: 'signed-in' | 'signed-out'): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage(message);
  channel.close();
}

export const useAuthStore = create<AuthState>()((set, get) => ({
  accessToken: null,
  user: null,
  hydrated: false,

  async login(email, password) {
    const body: LoginRequest = { email, password };
    const tokens = await request<TokenPair>('/auth/login', { method: 'POST', body, headers: BROWSER_HEADERS });
    const user = await request<User>('/auth/me', {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    generation++;
    refreshInFlight = null;
    set({ accessToken: tokens.access_token, user, hydrated: true });
    tellOtherTabs('signed-in');
    return user;
  },

  async signOut() {
    get().logout();
    tellOtherTabs('signed-out');
    try {
      await request('/auth/logout', { method: 'POST', headers: BROWSER_HEADERS });
    } catch {
      // Signed out here either way; an unreachable server lets the tokens expire on their own.
    }
  },

  logout() {
    generation++;
    refreshInFlight = null;
    set({ accessToken: null, user: null });
  },

  refreshTokens() {
    if (refreshInFlight) return refreshInFlight;
    const started = generation;
    const attempt = withRefreshLock(async () => {
      try {
        const tokens = await request<TokenPair>('/auth/refresh', { method: 'POST', headers: BROWSER_HEADERS });
        // A login or logout while the refresh was in flight wins.
        if (generation !== started) return false;
        set({ accessToken: tokens.access_token });
        return true;
      } catch (err) {
        // Keep the session through a network blip; drop it when the server says no.
        if (err instanceof ApiError && err.status === 0) return false;
        if (generation === started) get().logout();
        return false;
      }
    }).finally(() => {
      if (refreshInFlight === attempt) refreshInFlight = null;
    });
    refreshInFlight = attempt;
    return attempt;
  },

  setUser(user) {
    set({ user });
  },
}));

/**
 * Once per page load: trades the refresh cookie (if any) for an access token and loads the user, then marks
 * the store hydrated whatever the outcome. Idempotent; safe to call from effects.
 */
export function hydrateAuth(): Promise<void> {
  if (useAuthStore.getState().hydrated) return Promise.resolve();
  hydrating ??= (async () => {
    const started = generation;
    try {
      if (await useAuthStore.getState().refreshTokens()) {
        const token = useAuthStore.getState().accessToken;
        const user = await request<User>('/auth/me', { headers: { Authorization: `Bearer ${token}` } });
        if (generation === started) useAuthStore.setState({ user });
      }
    } catch {
      // No user loaded: the pages send the browser to the login page.
      if (generation === started) useAuthStore.getState().logout();
    } finally {
      useAuthStore.setState({ hydrated: true });
      hydrating = null;
    }
  })();
  return hydrating;
}

/** Follows sign-ins and sign-outs made in other tabs of this app. Returns the unsubscribe function. */
export function followOtherTabs(): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (event.data === 'signed-out') {
      useAuthStore.getState().logout();
    } else if (event.data === 'signed-in' && !useAuthStore.getState().accessToken) {
      useAuthStore.setState({ hydrated: false });
      void hydrateAuth();
    }
  };
  return () => channel.close();
}
