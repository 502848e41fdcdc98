import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { User } from '@/lib/api-types';
import { ApiError } from '@/lib/http';
import { apiError, json, mockFetch } from '@/test/fetch';

import { AUTH_STORAGE_KEY, hydrateAuth, useAuthStore } from './auth';

const advisor: User = {
  id: 7,
  email: 'advisor@example.com',
  full_name: 'Asha Advisor',
  role: 'advisor',
  is_active: true,
  created_at: '2026-11-23T08:00:00Z',
};

const tokens = { access_token: 'acc-1', refresh_token: 'ref-1', token_type: 'bearer' };

function resetStore() {
  useAuthStore.setState({ accessToken: null, refreshToken: null, user: null, hydrated: false });
  localStorage.clear();
}

function persisted(): unknown {
  const raw = localStorage.getItem(AUTH_STORAGE_KEY);
  return raw === null ? null : (JSON.parse(raw) as { state: unknown }).state;
}

beforeEach(resetStore);

describe('auth store: login', () => {
  it('posts the credentials, loads the user with the new token and persists the session', async () => {
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
    expect(calls[1]?.headers.authorization).toBe('Bearer acc-1');

    const state = useAuthStore.getState();
    expect(state.accessToken).toBe('acc-1');
    expect(state.refreshToken).toBe('ref-1');
    expect(state.user).toEqual(advisor);
    expect(persisted()).toEqual({ accessToken: 'acc-1', refreshToken: 'ref-1', user: advisor });
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

describe('auth store: logout and hydration', () => {
  it('logout clears state and storage', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () => json(200, tokens),
      'GET /api/v1/auth/me': () => json(200, advisor),
    });
    await useAuthStore.getState().login('advisor@example.com', 'advisor123');

    useAuthStore.getState().logout();

    const state = useAuthStore.getState();
    expect([state.accessToken, state.refreshToken, state.user]).toEqual([null, null, null]);
    expect(persisted()).toEqual({ accessToken: null, refreshToken: null, user: null });
  });

  it('restores a persisted session on hydration', async () => {
    localStorage.setItem(
      AUTH_STORAGE_KEY,
      JSON.stringify({ state: { accessToken: 'a', refreshToken: 'r', user: advisor }, version: 1 }),
    );
    expect(useAuthStore.getState().accessToken).toBeNull();

    await hydrateAuth();

    const state = useAuthStore.getState();
    expect(state.hydrated).toBe(true);
    expect(state.accessToken).toBe('a');
    expect(state.user).toEqual(advisor);
  });

  it('never persists the hydrated flag', async () => {
    await hydrateAuth();
    useAuthStore.getState().setUser(advisor);
    expect(persisted()).not.toHaveProperty('hydrated');
  });
});

describe('auth store: refreshTokens', () => {
  beforeEach(() => {
    useAuthStore.setState({ accessToken: 'old', refreshToken: 'ref-old', user: advisor });
  });

  it('swaps in the new pair', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () =>
        json(200, { access_token: 'new', refresh_token: 'ref-new', token_type: 'bearer' }),
    });
    await expect(useAuthStore.getState().refreshTokens()).resolves.toBe(true);
    expect(calls[0]?.body).toEqual({ refresh_token: 'ref-old' });
    expect(useAuthStore.getState()).toMatchObject({ accessToken: 'new', refreshToken: 'ref-new' });
  });

  it('shares one request between concurrent callers', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () =>
        json(200, { access_token: 'new', refresh_token: 'ref-new', token_type: 'bearer' }),
    });
    const results = await Promise.all([
      useAuthStore.getState().refreshTokens(),
      useAuthStore.getState().refreshTokens(),
      useAuthStore.getState().refreshTokens(),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(calls).toHaveLength(1);
  });

  it('logs out when the refresh token is refused', async () => {
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
    expect(useAuthStore.getState().refreshToken).toBe('ref-old');
  });
});

describe('auth store: sign out', () => {
  it('revokes the session at the server with the refresh token and clears it here', async () => {
    useAuthStore.setState({ accessToken: 'acc-1', refreshToken: 'ref-1', user: advisor });
    const calls = mockFetch({ 'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }) });

    await useAuthStore.getState().signOut();

    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/auth/logout']);
    expect(calls[0]?.body).toEqual({ refresh_token: 'ref-1' });
    const state = useAuthStore.getState();
    expect([state.accessToken, state.refreshToken, state.user]).toEqual([null, null, null]);
  });

  it('signs out here even when the server cannot be reached', async () => {
    useAuthStore.setState({ accessToken: 'acc-1', refreshToken: 'ref-1', user: advisor });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));

    await useAuthStore.getState().signOut();

    expect(useAuthStore.getState().refreshToken).toBeNull();
  });
});
