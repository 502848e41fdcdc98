import { vi } from 'vitest';

export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: RecordedCall) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function apiError(status: number, code: string, message: string, details?: unknown) {
  return json(status, { error: { code, message, details } });
}

/**
 * Replaces global fetch with a router keyed by "METHOD /path". Each key takes a handler or
 * a queue of handlers (consumed in order, the last one repeating). Returns the call log.
 */
export function mockFetch(routes: Record<string, Handler | Handler[]>): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const queues = new Map(Object.entries(routes).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
      const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
      const parsed = new URL(req.url);
      const url = parsed.pathname + parsed.search;
      const method = req.method.toUpperCase();
      const headers = Object.fromEntries(req.headers.entries());
      const text = req.body ? await req.text() : '';
      const body = text !== '' ? (JSON.parse(text) as unknown) : undefined;
      const call = { method, url, headers, body };
      calls.push(call);
      const queue = queues.get(`${method} ${url}`);
      const handler = queue && (queue.length > 1 ? queue.shift() : queue[0]);
      if (!handler) return json(404, { error: { code: 'NOT_FOUND', message: `No mock for ${method} ${url}` } });
      return handler(call);
    }),
  );
  return calls;
}
