import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { User } from '@/lib/api-types';
import { ApiError } from '@/lib/http';
import { apiError, json, mockFetch } from '@/test/fetch';

import { hydrateAuth, useAuthStore } from './auth';

const advisor: User = {
  id: 7,
  email: 'advisor@example.com',
  full_name: 'Asha Advisor',
  role: 'advisor',
  is_active: true,
  created_at: '2026-11-23T08:00:00Z',
};

// The web app's answers carry no refresh token: it is in the HttpOnly cookie.
const tokens = { access_token: 'acc-1', refresh_token: null, token_type: 'bearer' };

function resetStore() {
  useAuthStore.getState().logout();
  useAuthStore.setState({ hydrated: false });
}

/** Everything the app left in web storage, which a script injected into the page could read. */
function storedAnywhere(): string {
  const items: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i) ?? '';
    items.push(`${key}=${localStorage.getItem(key)}`);
  }
  return items.join('\n');
}

beforeEach(resetStore);

describe('auth store: login', () => {
  it('posts the credentials as the web app, loads the user and keeps the token in memory only', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/login': () => json(200, tokens),
      'GET /api/v1/auth/me': () => json(200, advisor),
    });

    const user = await useAuthStore.getState().login('advisor@example.com', 'advisor123');

    expect(user).toEqual(advisor);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/auth/login',
      'GET /api/v1/auth/me',
    ]);
    expect(calls[0]?.body).toEqual({ email: 'advisor@example.com', password: 'advisor123' });
    expect(calls[0]?.headers['content-type']).toBe('application/json');
    // The marker that makes the backend answer with the cookie instead of a token in the body.
    expect(calls[0]?.headers['x-requested-with']).toBe('multidesk');
    expect(calls[1]?.headers.authorization).toBe('Bearer acc-1');

    const state = useAuthStore.getState();
    expect(state.accessToken).toBe('acc-1');
    expect(state.user).toEqual(advisor);
    expect(state).not.toHaveProperty('refreshToken');
    expect(storedAnywhere()).toBe('');
  });

  it('never stores a refresh token, even one a server put in the body', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () => json(200, { ...tokens, refresh_token: 'ref-in-body' }),
      'GET /api/v1/auth/me': () => json(200, advisor),
    });
    await useAuthStore.getState().login('advisor@example.com', 'advisor123');
    expect(JSON.stringify(useAuthStore.getState())).not.toContain('ref-in-body');
    expect(storedAnywhere()).not.toContain('ref-in-body');
  });

  it('rejects with the API error and stays signed out on bad credentials', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () =>
        apiError(401, 'INVALID_CREDENTIALS', 'Invalid email or password'),
    });

    const err = await useAuthStore
      .getState()
      .login('advisor@example.com', 'wrong')
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'Invalid email or password',
      status: 401,
    });
    expect(useAuthStore.getState().accessToken).toBeNull();
    expect(useAuthStore.getState().user).toBeNull();
  });

  it('does not keep tokens when /auth/me fails', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () => json(200, tokens),
      'GET /api/v1/auth/me': () => apiError(403, 'USER_INACTIVE', 'Account disabled'),
    });
    await expect(useAuthStore.getState().login('a@b', 'pw')).rejects.toMatchObject({
      code: 'USER_INACTIVE',
    });
    expect(useAuthStore.getState().accessToken).toBeNull();
  });
});

describe('auth store: logout and hydration (a page load)', () => {
  it('logout clears the session', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () => json(200, tokens),
      'GET /api/v1/auth/me': () => json(200, advisor),
    });
    await useAuthStore.getState().login('advisor@example.com', 'advisor123');

    useAuthStore.getState().logout();

    const state = useAuthStore.getState();
    expect([state.accessToken, state.user]).toEqual([null, null]);
  });

  it('restores the session through the refresh cookie on a page load', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () => json(200, { ...tokens, access_token: 'acc-reloaded' }),
      'GET /api/v1/auth/me': () => json(200, advisor),
    });

    await Promise.all([hydrateAuth(), hydrateAuth()]);

    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/auth/refresh',
      'GET /api/v1/auth/me',
    ]);
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[0]?.headers['x-requested-with']).toBe('multidesk');
    expect(calls[1]?.headers.authorization).toBe('Bearer acc-reloaded');
    const state = useAuthStore.getState();
    expect(state).toMatchObject({ hydrated: true, accessToken: 'acc-reloaded', user: advisor });
  });

  it('is signed out, and hydrated, when there is no cookie session', async () => {
    mockFetch({ 'POST /api/v1/auth/refresh': () => apiError(401, 'INVALID_TOKEN', 'Sign in again') });
    await hydrateAuth();
    expect(useAuthStore.getState()).toMatchObject({ hydrated: true, accessToken: null, user: null });
  });

  it('is signed out, and hydrated, when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    await hydrateAuth();
    expect(useAuthStore.getState()).toMatchObject({ hydrated: true, accessToken: null, user: null });
  });
});

describe('auth store: refreshTokens', () => {
  beforeEach(() => {
    useAuthStore.setState({ accessToken: 'old', user: advisor, hydrated: true });
  });

  it('gets a new access token through the cookie', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () => json(200, { ...tokens, access_token: 'new' }),
    });
    await expect(useAuthStore.getState().refreshTokens()).resolves.toBe(true);
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[0]?.headers['x-requested-with']).toBe('multidesk');
    expect(useAuthStore.getState().accessToken).toBe('new');
    expect(storedAnywhere()).toBe('');
  });

  it('shares one request between concurrent callers', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () => json(200, { ...tokens, access_token: 'new' }),
    });
    const results = await Promise.all([
      useAuthStore.getState().refreshTokens(),
      useAuthStore.getState().refreshTokens(),
      useAuthStore.getState().refreshTokens(),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(calls).toHaveLength(1);
  });

  it('logs out when the cookie is refused', async () => {
    mockFetch({
      'POST /api/v1/auth/refresh': () => apiError(401, 'TOKEN_EXPIRED', 'Session expired'),
    });
    await expect(useAuthStore.getState().refreshTokens()).resolves.toBe(false);
    expect(useAuthStore.getState().accessToken).toBeNull();
    expect(useAuthStore.getState().user).toBeNull();
  });

  it('keeps the session through a network failure', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(useAuthStore.getState().refreshTokens()).resolves.toBe(false);
    expect(useAuthStore.getState().accessToken).toBe('old');
  });

  it('a logout while the refresh is in flight wins', async () => {
    let answer: (r: Response) => void = () => undefined;
    mockFetch({ 'POST /api/v1/auth/refresh': () => new Promise<Response>((resolve) => (answer = resolve)) });
    const refreshing = useAuthStore.getState().refreshTokens();
    await vi.waitFor(() => expect(fetch).toHaveBeenCalled());
    useAuthStore.getState().logout();
    answer(json(200, { ...tokens, access_token: 'too-late' }));
    await expect(refreshing).resolves.toBe(false);
    expect(useAuthStore.getState().accessToken).toBeNull();
  });
});

describe('auth store: sign out', () => {
  it('ends the session at the server through the cookie and clears it here', async () => {
    useAuthStore.setState({ accessToken: 'acc-1', user: advisor });
    const calls = mockFetch({ 'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }) });

    await useAuthStore.getState().signOut();

    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/auth/logout']);
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[0]?.headers['x-requested-with']).toBe('multidesk');
    const state = useAuthStore.getState();
    expect([state.accessToken, state.user]).toEqual([null, null]);
  });

  it('signs out here even when the server cannot be reached', async () => {
    useAuthStore.setState({ accessToken: 'acc-1', user: advisor });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));

    await useAuthStore.getState().signOut();

    expect(useAuthStore.getState().accessToken).toBeNull();
  });
});
