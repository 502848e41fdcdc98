import { beforeEach, describe, expect, it, vi } from 'vitest';

import { useAuthStore } from '@/stores/auth';
import { apiError, json, mockFetch } from '@/test/fetch';

import type { components } from './api-schema';
import { ApiError, apiUrl, call, client } from './api';

const user = {
  id: 1,
  email: 'a@b',
  full_name: 'A',
  role: 'advisor',
  is_active: true,
  created_at: '2026-11-23T08:00:00Z',
} as const;
const newPair = { access_token: 'acc-2', refresh_token: null, token_type: 'bearer' };

beforeEach(() => {
  useAuthStore.setState({ accessToken: 'acc-1', user, hydrated: true });
});

describe('apiUrl', () => {
  it('prefixes /api/v1 once', () => {
    expect(apiUrl('/clients')).toBe('/api/v1/clients');
    expect(apiUrl('clients')).toBe('/api/v1/clients');
    expect(apiUrl('/api/v1/clients?limit=5')).toBe('/api/v1/clients?limit=5');
  });
});

describe('client + call', () => {
  it('sends JSON with the bearer token and the caller\'s headers, and returns the parsed body', async () => {
    const calls = mockFetch({ 'POST /api/v1/orders/place': () => json(201, { id: 9 }) });
    const body = { client_id: 1, token_id: 2885, quantity: 1 } as unknown as components['schemas']['PlaceOrderRequest'];
    await expect(call(client.POST('/api/v1/orders/place', { body, headers: { 'Idempotency-Key': 'k' } }))).resolves.toEqual({
      id: 9,
    });
    expect(calls[0]).toMatchObject({
      method: 'POST',
      body: { client_id: 1, token_id: 2885, quantity: 1 },
      headers: { authorization: 'Bearer acc-1', 'content-type': 'application/json', 'idempotency-key': 'k' },
    });
  });

  it('returns undefined for 204', async () => {
    mockFetch({ 'DELETE /api/v1/groups/4': () => new Response(null, { status: 204 }) });
    await expect(call(client.DELETE('/api/v1/groups/{group_id}', { params: { path: { group_id: 4 } } }))).resolves.toBeUndefined();
  });

  it('copes with errors outside the envelope', async () => {
    mockFetch({
      'GET /api/v1/auth/me': () => json(422, { detail: [{ loc: ['body'], msg: 'bad' }] }),
      'GET /api/v1/risk/status': () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await expect(call(client.GET('/api/v1/auth/me'))).rejects.toMatchObject({ code: 'HTTP_422', status: 422 });
    await expect(call(client.GET('/api/v1/risk/status'))).rejects.toMatchObject({
      code: 'HTTP_502',
      message: 'Bad Gateway',
      status: 502,
    });
  });
});

describe('client: 401 handling', () => {
  const clients = () => call(client.GET('/api/v1/clients'));

  it('refreshes once and retries with the new token', async () => {
    const calls = mockFetch({
      'GET /api/v1/clients': [
        () => apiError(401, 'TOKEN_EXPIRED', 'Token expired'),
        () => json(200, { items: [], total: 0 }),
      ],
      'POST /api/v1/auth/refresh': () => json(200, newPair),
    });

    await expect(clients()).resolves.toEqual({ items: [], total: 0 });

    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers.authorization ?? ''}`)).toEqual([
      'GET /api/v1/clients Bearer acc-1',
      'POST /api/v1/auth/refresh ',
      'GET /api/v1/clients Bearer acc-2',
    ]);
    // Through the HttpOnly cookie: no token in the body, the CSRF header on.
    expect(calls[1]?.body).toBeUndefined();
    expect(calls[1]?.headers['x-requested-with']).toBe('multidesk');
    expect(useAuthStore.getState().accessToken).toBe('acc-2');
  });

  it('shares one refresh among concurrent 401s', async () => {
    const calls = mockFetch({
      'GET /api/v1/clients': ({ headers }) =>
        headers.authorization === 'Bearer acc-2'
          ? json(200, { items: [], total: 0 })
          : apiError(401, 'TOKEN_EXPIRED', 'Token expired'),
      'POST /api/v1/auth/refresh': () => json(200, newPair),
    });
    await Promise.all([clients(), clients(), clients()]);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('logs out when the refresh is refused and surfaces the original error', async () => {
    mockFetch({
      'GET /api/v1/clients': () => apiError(401, 'TOKEN_EXPIRED', 'Token expired'),
      'POST /api/v1/auth/refresh': () => apiError(401, 'TOKEN_REVOKED', 'Session revoked'),
    });
    await expect(clients()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
    expect(useAuthStore.getState()).toMatchObject({ accessToken: null, user: null });
  });

  it('retries only once, then logs out', async () => {
    const calls = mockFetch({
      'GET /api/v1/clients': () => apiError(401, 'TOKEN_EXPIRED', 'Token expired'),
      'POST /api/v1/auth/refresh': () => json(200, newPair),
    });
    await expect(clients()).rejects.toMatchObject({ status: 401 });
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/clients', '/api/v1/auth/refresh', '/api/v1/clients']);
    expect(useAuthStore.getState().accessToken).toBeNull();
  });

  it('does not try the refresh cookie on a 401 to a request sent without a token', async () => {
    useAuthStore.setState({ accessToken: null });
    const calls = mockFetch({ 'GET /api/v1/clients': () => apiError(401, 'UNAUTHENTICATED', 'Sign in') });
    await expect(clients()).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(1);
    expect(useAuthStore.getState().accessToken).toBeNull();
  });

  it('does not refresh on 403', async () => {
    const calls = mockFetch({ 'GET /api/v1/audit': () => apiError(403, 'FORBIDDEN', 'Admins only') });
    await expect(call(client.GET('/api/v1/audit'))).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(calls).toHaveLength(1);
    expect(useAuthStore.getState().accessToken).toBe('acc-1');
  });
});

describe('client: downloads (parseAs blob)', () => {
  const csv = 'id,ts,actor_id,action\n1,2026-11-23T08:00:00Z,1,risk.halt\n';
  const csvResponse = () => new Response(csv, { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
  const download = (action?: string) =>
    call(client.GET('/api/v1/audit/export.csv', { params: { query: action ? { action } : {} }, parseAs: 'blob' }));

  it('returns the body as a Blob, sent with the bearer token', async () => {
    const calls = mockFetch({ 'GET /api/v1/audit/export.csv?action=risk.halt': csvResponse });
    const blob = await download('risk.halt');
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toMatch(/^text\/csv/);
    await expect(blob.text()).resolves.toBe(csv);
    expect(calls[0]?.headers.authorization).toBe('Bearer acc-1');
  });

  it('refreshes on 401 and retries the download', async () => {
    const calls = mockFetch({
      'GET /api/v1/audit/export.csv': [() => apiError(401, 'TOKEN_EXPIRED', 'Token expired'), csvResponse],
      'POST /api/v1/auth/refresh': () => json(200, newPair),
    });
    const blob = await download();
    await expect(blob.text()).resolves.toBe(csv);
    expect(calls.map((c) => c.headers.authorization ?? '')).toEqual(['Bearer acc-1', '', 'Bearer acc-2']);
  });

  it('still turns an error envelope into ApiError', async () => {
    mockFetch({ 'GET /api/v1/audit/export.csv': () => apiError(403, 'FORBIDDEN', 'Admins only') });
    await expect(download()).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Admins only', status: 403 });
  });
});

describe('typed client', () => {
  it('fills path parameters, sends the bearer token and returns the data', async () => {
    const calls = mockFetch({ 'POST /api/v1/orders/7/cancel': () => json(200, { id: 7, status: 'CANCELLED' }) });
    const order = await call(client.POST('/api/v1/orders/{order_id}/cancel', { params: { path: { order_id: 7 } } }));
    expect(order).toMatchObject({ id: 7, status: 'CANCELLED' });
    expect(calls[0]!.headers.authorization).toBe('Bearer acc-1');
  });

  it('turns the error envelope into ApiError with its code and details', async () => {
    mockFetch({
      'POST /api/v1/orders/place': () => apiError(422, 'INSUFFICIENT_MARGIN', 'Not enough', { required: '10.00' }),
    });
    const body = {} as components['schemas']['PlaceOrderRequest'];
    const err = await call(client.POST('/api/v1/orders/place', { body })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'INSUFFICIENT_MARGIN', status: 422, details: { required: '10.00' } });
  });

  it('refreshes once on 401 and resends the same body with the new token', async () => {
    const calls = mockFetch({
      'POST /api/v1/groups': [() => apiError(401, 'TOKEN_EXPIRED', 'Expired'), () => json(201, { id: 3 })],
      'POST /api/v1/auth/refresh': () => json(200, newPair),
    });
    const body = { name: 'Core', members: [] };
    await expect(call(client.POST('/api/v1/groups', { body }))).resolves.toEqual({ id: 3 });
    const sent = calls.filter((c) => c.url === '/api/v1/groups');
    expect(sent.map((c) => c.headers.authorization)).toEqual(['Bearer acc-1', 'Bearer acc-2']);
    expect(sent[1]!.body).toEqual(body);
  });

  it('maps a network failure to NETWORK_ERROR', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(call(client.GET('/api/v1/auth/me'))).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });
});
