/**
 * The app's API client, type-checked against the backend's OpenAPI schema (`api-schema.d.ts`) with
 * openapi-fetch: a renamed path, parameter or field is a `npm run typecheck` error at the call site.
 *
 *   const me = await call(client.GET('/api/v1/auth/me'));
 *   await call(client.POST('/api/v1/orders/{order_id}/cancel', { params: { path: { order_id: 7 } } }));
 *   const csv = await call(client.GET('/api/v1/book/positions.csv', { parseAs: 'blob' }));
 *
 * Every request carries the bearer token from the auth store. On a 401 it gets a new access token once
 * through the refresh cookie (concurrent requests share that refresh) and retries the request once; if the
 * refresh is refused, the store logs out and the caller gets the ApiError. `call` turns a failed response
 * (or no response) into an ApiError with the backend's machine-readable code.
 */
import createClient from 'openapi-fetch';

import { useAuthStore } from '@/stores/auth';

import type { paths } from './api-schema';
import { ApiError, toApiError } from './http';

export { ApiError, API_PREFIX, apiUrl } from './http';

function origin(): string {
  // Static export prerendering and unit tests have no location.
  return globalThis.location?.origin ?? 'http://localhost';
}

async function send(req: Request, token: string | null): Promise<Response> {
  const headers = new Headers(req.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  try {
    return await fetch(new Request(req, { headers }));
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK_ERROR', 'Cannot reach the server. Check your connection.', 0);
  }
}

/** fetch with the bearer token and one refresh-and-retry on 401. */
export async function authedFetch(req: Request): Promise<Response> {
  const store = useAuthStore.getState();
  const sentToken = store.accessToken;
  // The body can be read once: keep a copy for the retry.
  const again = req.clone();
  const first = await send(req, sentToken);
  if (first.status !== 401) return first;
  // Without a token there is no session to refresh (the refresh cookie is only used to start one).
  if (sentToken === null) {
    useAuthStore.getState().logout();
    return first;
  }
  // Another request may already have refreshed while this one was in flight.
  const current = useAuthStore.getState().accessToken;
  const refreshed = current !== sentToken && current !== null ? true : await store.refreshTokens();
  if (!refreshed) return first;
  const second = await send(again, useAuthStore.getState().accessToken);
  if (second.status === 401) useAuthStore.getState().logout();
  return second;
}

export const client = createClient<paths>({ baseUrl: origin(), fetch: authedFetch });

interface Outcome<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** The response's data, or an ApiError carrying the backend's code, message and details. */
export async function call<D>(pending: Promise<Outcome<D>>): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response.status, response.statusText, error);
  return data as D;
}

