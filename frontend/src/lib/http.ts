/**
 * Low-level JSON-over-fetch for the backend's /api/v1: no auth handling here (see api.ts).
 * Every failure becomes an ApiError, whether the backend sent its error envelope,
 * something else (a proxy's HTML page, FastAPI's default {"detail": ...}) or nothing at all.
 */

export const API_PREFIX = '/api/v1';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** Machine-readable code from the backend (e.g. "INSUFFICIENT_MARGIN"), or a client-side
     * one: NETWORK_ERROR (no response), HTTP_<status> (no error envelope), INVALID_RESPONSE. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  /** Serialised as JSON when given. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * 'json' (default): the parsed JSON body (text for other content types, undefined when empty).
   * 'blob': the raw body as a Blob (downloads such as CSV exports); errors are still ApiErrors.
   */
  responseType?: 'json' | 'blob';
}

/** `/auth/me` -> `/api/v1/auth/me`; paths already under /api/v1 are left alone. */
export function apiUrl(path: string): string {
  if (path.startsWith(`${API_PREFIX}/`) || path === API_PREFIX) return path;
  return `${API_PREFIX}${path.startsWith('/') ? '' : '/'}${path}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Turns a non-2xx response body into an ApiError. */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.code === 'string') {
    const { code, message, details } = body.error;
    return new ApiError(code, typeof message === 'string' ? message : code, status, details);
  }
  // FastAPI's default shape, in case an error escapes the backend's envelope.
  if (isRecord(body) && 'detail' in body) {
    const message = typeof body.detail === 'string' ? body.detail : statusText || `HTTP ${status}`;
    return new ApiError(`HTTP_${status}`, message, status, body.detail);
  }
  return new ApiError(`HTTP_${status}`, statusText || `Request failed (HTTP ${status})`, status);
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (res.ok) throw new ApiError('INVALID_RESPONSE', 'The server sent malformed JSON', res.status);
      return text;
    }
  }
  return text;
}

/** Where a path of the API is on this origin (prerendering and unit tests have no location). */
export function absoluteUrl(path: string): string {
  const origin = globalThis.location?.origin ?? 'http://localhost';
  return new URL(apiUrl(path), origin).toString();
}

async function send(req: Request): Promise<Response> {
  try {
    return await fetch(req);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK_ERROR', 'Cannot reach the server. Check your connection.', 0);
  }
}

/**
 * Sends one request and returns the parsed JSON body (undefined for an empty body), or the
 * body as a Blob with `responseType: 'blob'`. Rejects with ApiError on network failure or a non-2xx status.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, headers = {}, signal, responseType = 'json' } = options;
  const req = new Request(absoluteUrl(path), {
    method,
    headers: {
      Accept: responseType === 'blob' ? '*/*' : 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal,
    credentials: 'same-origin',
  });
  const res = await send(req);

  if (res.ok && responseType === 'blob') {
    try {
      return (await res.blob()) as T;
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('NETWORK_ERROR', 'The download was interrupted. Please try again.', 0);
    }
  }
  const parsed = await readBody(res);
  if (!res.ok) throw toApiError(res.status, res.statusText, parsed);
  return parsed as T;
}
