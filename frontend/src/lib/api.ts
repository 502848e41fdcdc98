/**
 * The app's API client: JSON to the same-origin backend under /api/v1, with the bearer
 * token from the auth store. On a 401 it gets a new access token once through the refresh cookie (concurrent
 * requests share that refresh) and retries the request once; if the refresh is refused,
 * the store logs out and the caller gets the ApiError.
 *
 *   const me = await api.get<User>('/auth/me');
 *   await api.post<Batch>('/orders/execute-all', body, { headers: { 'Idempotency-Key': key } });
 */
import { useAuthStore } from '@/stores/auth';

import { ApiError, request, type RequestOptions } from './http';

export { ApiError, API_PREFIX, apiUrl } from './http';

export interface ApiOptions extends RequestOptions {
  /** Send the bearer token and refresh on 401. Default true. */
  auth?: boolean;
}

function withBearer(options: RequestOptions, token: string | null): RequestOptions {
  if (!token) return options;
  return { ...options, headers: { ...options.headers, Authorization: `Bearer ${token}` } };
}

export async function apiFetch<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const { auth = true, ...rest } = options;
  if (!auth) return request<T>(path, rest);

  const store = useAuthStore.getState();
  const sentToken = store.accessToken;
  try {
    return await request<T>(path, withBearer(rest, sentToken));
  } catch (err) {
    // Without a token there is no session to refresh (the refresh cookie is only used to start one).
    if (!(err instanceof ApiError) || err.status !== 401 || sentToken === null) {
      if (err instanceof ApiError && err.status === 401) useAuthStore.getState().logout();
      throw err;
    }
    // Another request may already have refreshed while this one was in flight.
    const current = useAuthStore.getState().accessToken;
    const refreshed = current !== sentToken && current !== null ? true : await store.refreshTokens();
    if (!refreshed) throw err;
    try {
      return await request<T>(path, withBearer(rest, useAuthStore.getState().accessToken));
    } catch (retryErr) {
      if (retryErr instanceof ApiError && retryErr.status === 401) useAuthStore.getState().logout();
      throw retryErr;
    }
  }
}

type BodylessOptions = Omit<ApiOptions, 'method' | 'body'>;

export const api = {
  get: <T>(path: string, options?: BodylessOptions) => apiFetch<T>(path, { ...options, method: 'GET' }),
  delete: <T>(path: string, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: 'DELETE' }),
  post: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: BodylessOptions) =>
    apiFetch<T>(path, { ...options, method: 'PATCH', body }),
};
