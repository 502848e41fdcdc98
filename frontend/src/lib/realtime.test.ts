import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useAuthStore } from '@/stores/auth';
import { useBatchStore } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRealtimeStore } from '@/stores/realtime';
import { useRiskStore } from '@/stores/risk';
import { apiError, json, mockFetch } from '@/test/fetch';

type Handler = (...args: unknown[]) => void;

/** Just enough of a socket.io-client Socket to drive the manager. */
class FakeSocket {
  handlers = new Map<string, Handler[]>();
  emitted: Array<{ event: string; payload: unknown; ack?: Handler }> = [];
  connected = false;
  active = true;
  connectCalls = 0;
  disconnected = false;
  on(event: string, fn: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, payload: unknown, ack?: Handler) {
    this.emitted.push({ event, payload, ack });
    return this;
  }
  connect() {
    this.connectCalls++;
    return this;
  }
  disconnect() {
    this.disconnected = true;
    this.connected = false;
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  take(event: string) {
    const out = this.emitted.filter((e) => e.event === event);
    this.emitted = this.emitted.filter((e) => e.event !== event);
    return out;
  }
}

const sockets: FakeSocket[] = [];
const ioMock = vi.fn((_opts: unknown) => {
  const s = new FakeSocket();
  sockets.push(s);
  return s;
});
vi.mock('socket.io-client', () => ({ io: (opts: unknown) => ioMock(opts) }));

const { onRealtime, startRealtime, stopRealtime, subscribeTokens, watchBatch, watchClients, realtimeSubscriptions } = await import(
  './realtime'
);

const user = {
  id: 1,
  email: 'a@b',
  full_name: 'A',
  role: 'advisor',
  is_active: true,
  created_at: '2026-11-23T08:00:00Z',
} as const;

let releases: Array<() => void> = [];
const current = () => sockets[sockets.length - 1]!;

beforeEach(() => {
  // The manager runs only in a browser.
  vi.stubGlobal('window', {});
  useAuthStore.setState({ accessToken: 'acc-1', user, hydrated: true });
  useBatchStore.setState({ batches: {} });
  useQuotesStore.getState().clear();
  ioMock.mockClear();
});

afterEach(() => {
  for (const r of releases) r();
  releases = [];
  stopRealtime();
});

describe('realtime connection', () => {
  it('connects to /socket.io with the current access token, over WebSocket only', () => {
    startRealtime();
    startRealtime(); // idempotent
    expect(ioMock).toHaveBeenCalledTimes(1);
    const opts = ioMock.mock.calls[0]![0] as { path: string; transports: string[]; auth: (cb: (d: object) => void) => void };
    expect(opts.path).toBe('/socket.io');
    expect(opts.transports).toEqual(['websocket']);
    // The token is read at every (re)connect, so a refreshed one is used.
    useAuthStore.setState({ accessToken: 'acc-2' });
    let sent: object | undefined;
    opts.auth((d) => (sent = d));
    expect(sent).toEqual({ token: 'acc-2' });
    expect(useRealtimeStore.getState().status).toBe('connecting');
  });

  it('subscribes on connect and again after a reconnect; shows "reconnecting" meanwhile', () => {
    releases.push(subscribeTokens([2885, 11536]));
    startRealtime();
    const s = current();
    s.fire('connect');
    expect(s.take('subscribe').map((e) => e.payload)).toEqual([{ token_ids: [2885, 11536] }]);
    expect(useRealtimeStore.getState().status).toBe('connected');

    s.fire('disconnect', 'transport close');
    expect(useRealtimeStore.getState().status).toBe('reconnecting');
    s.fire('connect');
    expect(s.take('subscribe').map((e) => e.payload)).toEqual([{ token_ids: [2885, 11536] }]);
  });

  it('reference-counts token subscriptions', () => {
    startRealtime();
    const s = current();
    s.fire('connect');
    const a = subscribeTokens([2885]);
    const b = subscribeTokens([2885, 1333]);
    expect(s.take('subscribe').map((e) => e.payload)).toEqual([{ token_ids: [2885] }, { token_ids: [1333] }]);
    a();
    expect(s.take('unsubscribe')).toEqual([]);
    b();
    expect(s.take('unsubscribe').map((e) => e.payload)).toEqual([{ token_ids: [2885, 1333] }]);
    expect(realtimeSubscriptions().tokens).toEqual([]);
  });

  it('joins a batch room and fetches the batch once joined (and after every reconnect)', async () => {
    const snapshot = {
      batch_id: 7,
      kind: 'EXECUTE_ALL',
      status: 'RUNNING',
      token_id: 2885,
      symbol: 'RELIANCE',
      created_at: '2026-11-23T09:00:00Z',
      finished_at: null,
      counts: { total: 1 },
      rows: [
        {
          client_id: 1,
          client_name: 'Aarav',
          order_id: 101,
          status: 'FILLED',
          reason: null,
          quantity: 5,
          filled_quantity: 5,
          average_price: '1420.00',
          trade_type: 'INTRADAY',
        },
      ],
    };
    const calls = mockFetch({ 'GET /api/v1/batches/7': () => json(200, snapshot) });
    startRealtime();
    const s = current();
    s.fire('connect');
    releases.push(watchBatch(7));
    const [join] = s.take('watch_batch');
    expect(join?.payload).toEqual({ batch_id: 7 });
    join?.ack?.({ ok: true });
    join?.ack?.({ ok: true }); // a second ack does not fetch again
    await vi.waitFor(() => expect(useBatchStore.getState().batches[7]?.status).toBe('COMPLETED'));
    expect(calls.filter((c) => c.url === '/api/v1/batches/7')).toHaveLength(1);

    s.fire('disconnect', 'transport close');
    s.fire('connect');
    const [rejoin] = s.take('watch_batch');
    expect(rejoin?.payload).toEqual({ batch_id: 7 });
    rejoin?.ack?.();
    await vi.waitFor(() => expect(calls.filter((c) => c.url === '/api/v1/batches/7')).toHaveLength(2));

    releases.pop()?.();
    expect(s.take('unwatch_batch').map((e) => e.payload)).toEqual([{ batch_id: 7 }]);
  });

  it('routes events to the stores', () => {
    startRealtime();
    const s = current();
    s.fire('connect');
    s.fire('prices', {
      ts: '2026-11-23T09:00:00Z',
      quotes: [
        { token_id: 2885, ltp: '1421.00', change: '1', change_pct: '0.07', volume: 9 },
        { token_id: 11536, ltp: '3050.00', change: '-2', change_pct: '-0.07', volume: 4 },
      ],
    });
    const quotes = useQuotesStore.getState().quotes;
    expect(quotes[2885]).toMatchObject({ ltp: '1421.00', ts: '2026-11-23T09:00:00Z' });
    expect(quotes[11536]).toMatchObject({ ltp: '3050.00', ts: '2026-11-23T09:00:00Z' });
    s.fire('batch_progress', { batch_id: 3, client_id: 1, order_id: 9, status: 'REJECTED', reason: 'RMS', done: 1, total: 1 });
    expect(useBatchStore.getState().batches[3]?.status).toBe('COMPLETED');
  });

  it('passes bars frames (the live candles) to listeners, such as the price chart', () => {
    const got: unknown[] = [];
    releases.push(onRealtime('bars', (b) => got.push(b)));
    startRealtime();
    const s = current();
    s.fire('connect');
    const payload = {
      bars: [
        {
          token_id: 2885,
          interval: '1m',
          bar: { start: '2026-11-30T03:45:00Z', open: '1', high: '1', low: '1', close: '1', volume: 0, complete: false },
        },
      ],
    };
    s.fire('bars', payload);
    expect(got).toEqual([payload]);
  });

  it('refetches the risk status on risk_status and on every (re)connect', async () => {
    const halted = {
      firm_halted: true,
      you_are_halted: true,
      halts: [{ id: 4, scope: 'firm', advisor_id: null, reason: 'drill', halted_by: 1, halted_at: '2026-11-23T09:00:00Z' }],
      cancelled_order_ids: [],
      cancel_failures: [],
    };
    const running = { ...halted, firm_halted: false, you_are_halted: false, halts: [] };
    const calls = mockFetch({ 'GET /api/v1/risk/status': [() => json(200, running), () => json(200, halted)] });
    useRiskStore.getState().clear();
    const gets = () => calls.filter((c) => c.method === 'GET' && c.url === '/api/v1/risk/status');
    startRealtime();
    const s = current();
    s.fire('connect');
    await vi.waitFor(() => expect(useRiskStore.getState().status).toEqual(running));

    // A halt was committed: the payload is the firm-wide state only, so this user's view is read again.
    s.fire('risk_status', { firm_halted: true });
    await vi.waitFor(() => expect(useRiskStore.getState().status).toEqual(halted));
    expect(gets()).toHaveLength(2);

    // An event sent while the socket was down is lost: reconnecting reads the status again.
    s.fire('disconnect', 'transport close');
    s.fire('connect');
    await vi.waitFor(() => expect(gets()).toHaveLength(3));
  });

  it('on a refused connect refreshes the token and connects again', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () => json(200, { access_token: 'acc-2', refresh_token: null, token_type: 'bearer' }),
    });
    startRealtime();
    const s = current();
    s.active = false; // socket.io gives up on a middleware refusal
    s.fire('connect_error', new Error('unauthorized'));
    expect(useRealtimeStore.getState().status).toBe('reconnecting');
    await vi.waitFor(() => expect(s.connectCalls).toBe(1));
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/refresh']);
    expect(useAuthStore.getState().accessToken).toBe('acc-2');
  });

  it('leaves transport errors to socket.io (no refresh)', () => {
    const calls = mockFetch({});
    startRealtime();
    const s = current();
    s.fire('connect_error', new Error('websocket error'));
    expect(useRealtimeStore.getState()).toMatchObject({ status: 'reconnecting', lastError: 'websocket error' });
    expect(calls).toHaveLength(0);
  });

  it('takes the latest quotes from the subscribe ack', () => {
    startRealtime();
    const s = current();
    s.fire('connect');
    releases.push(subscribeTokens([2885]));
    const [sub] = s.take('subscribe');
    sub?.ack?.({
      ok: true,
      token_ids: [2885],
      quotes: [{ token_id: 2885, ltp: '1423.00', change: '2', change_pct: '0.1', volume: 3, ts: '2026-11-23T09:00:00Z' }],
    });
    expect(useQuotesStore.getState().quotes[2885]?.ltp).toBe('1423.00');
    sub?.ack?.({ ok: false, error: { code: 'TOO_MANY_SUBSCRIPTIONS', message: 'no', details: {} } });
    expect(useQuotesStore.getState().quotes[2885]?.ltp).toBe('1423.00');
  });

  it('renews the socket with a token the REST client refreshed', () => {
    startRealtime();
    const s = current();
    s.fire('connect');
    useAuthStore.setState({ accessToken: 'acc-9' });
    expect(s.take('renew').map((e) => e.payload)).toEqual([{ token: 'acc-9' }]);
    stopRealtime();
    useAuthStore.setState({ accessToken: 'acc-10' });
    expect(s.take('renew')).toEqual([]);
  });

  it('on session_expired refreshes the token, and reconnects after the server disconnects', async () => {
    const calls = mockFetch({
      'POST /api/v1/auth/refresh': () => json(200, { access_token: 'acc-2', refresh_token: null, token_type: 'bearer' }),
    });
    startRealtime();
    const s = current();
    s.fire('connect');
    s.fire('session_expired', { code: 'SESSION_EXPIRED', message: 'The access token expired' });
    expect(useRealtimeStore.getState().status).toBe('reconnecting');
    s.active = false;
    s.fire('disconnect', 'io server disconnect');
    await vi.waitFor(() => expect(s.connectCalls).toBe(1));
    expect(calls.filter((c) => c.url === '/api/v1/auth/refresh').length).toBeGreaterThanOrEqual(1);
    expect(useAuthStore.getState().accessToken).toBe('acc-2');
  });

  it('joins client rooms on request and again after a reconnect', () => {
    startRealtime();
    const s = current();
    s.fire('connect');
    releases.push(watchClients([12]));
    expect(s.take('watch_clients').map((e) => e.payload)).toEqual([{ client_ids: [12] }]);
    s.fire('disconnect', 'transport close');
    s.fire('connect');
    expect(s.take('watch_clients').map((e) => e.payload)).toEqual([{ client_ids: [12] }]);
  });

  it('stops when the refresh is refused (logged out)', async () => {
    mockFetch({ 'POST /api/v1/auth/refresh': () => apiError(401, 'TOKEN_EXPIRED', 'Session expired') });
    startRealtime();
    const s = current();
    s.active = false;
    s.fire('connect_error', new Error('unauthorized'));
    await vi.waitFor(() => expect(useRealtimeStore.getState().status).toBe('offline'));
    expect(s.disconnected).toBe(true);
    expect(s.connectCalls).toBe(0);
    expect(useAuthStore.getState().accessToken).toBeNull();
  });
});
