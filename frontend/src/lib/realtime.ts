/**
 * The app's one Socket.IO connection (DESIGN.md §5), same origin, path /socket.io.
 *
 * - Connects with `auth: {token}` read from the auth store at every (re)connect.
 * - A refused connect (connect_error that socket.io will not retry: the server's auth said no)
 *   refreshes the token pair through the auth store and connects again, with backoff; a logout
 *   stops it. Transport errors are retried by socket.io itself; the UI shows "reconnecting".
 * - Subscriptions are reference-counted and re-sent after every reconnect: `subscribe` for the
 *   tokens on screen (its ack's latest quotes go to the quotes store), `watch_batch` for the
 *   batches on screen (each followed by one GET /batches/{id}, so rows resolved before
 *   (re)joining are not missed), `watch_clients` for clients opened since connecting.
 * - A token refreshed by the REST client is sent as `renew {token}`; `session_expired` (the
 *   server is about to disconnect) refreshes the token so the reconnect uses a fresh one.
 * - Events go to the stores (prices frames → quotes, batch_progress / order_update → batches,
 *   risk_status → a refetch of GET /risk/status through the risk store, also done on every
 *   (re)connect since events sent while disconnected are lost) and to listeners registered with
 *   `onRealtime` (pages refreshing positions or order lists, the price chart's `bars` frames).
 */
import { io, type Socket } from 'socket.io-client';

import { call, client } from '@/lib/api';
import type { Batch, ClientToServerEvents, PriceUpdate, ServerToClientEvents } from '@/lib/api-types';
import { useAuthStore } from '@/stores/auth';
import { useBatchStore } from '@/stores/batches';
import { useQuotesStore } from '@/stores/quotes';
import { useRealtimeStore } from '@/stores/realtime';
import { useRiskStore } from '@/stores/risk';

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type RealtimeEvent = keyof ServerToClientEvents;
type Payload<E extends RealtimeEvent> = Parameters<ServerToClientEvents[E]>[0];
type Listener<E extends RealtimeEvent> = (payload: Payload<E>) => void;

/** How long to wait for the server's ack of watch_batch before fetching the snapshot anyway. */
const WATCH_ACK_TIMEOUT_MS = 1500;

let socket: AppSocket | null = null;
let refusedAttempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
const tokenRefs = new Map<number, number>();
const watchedBatches = new Map<number, number>();
const watchedClients = new Map<number, number>();
let unsubscribeAuth: (() => void) | null = null;
const listeners = new Map<RealtimeEvent, Set<(payload: never) => void>>();

function emitLocal<E extends RealtimeEvent>(event: E, payload: Payload<E>) {
  for (const fn of listeners.get(event) ?? []) {
    try {
      (fn as Listener<E>)(payload);
    } catch (err) {
      console.warn(`realtime listener for ${event} failed`, err);
    }
  }
}

/** Registers a listener for a server event; returns the unsubscribe function. */
export function onRealtime<E extends RealtimeEvent>(event: E, fn: Listener<E>): () => void {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(fn as (payload: never) => void);
  return () => set.delete(fn as (payload: never) => void);
}

/** GET /batches/{id} into the batch store (errors are left to the next try). */
export async function refreshBatch(batchId: number): Promise<Batch | null> {
  try {
    const batch = await call(client.GET('/api/v1/batches/{batch_id}', { params: { path: { batch_id: batchId } } }));
    useBatchStore.getState().applySnapshot(batch);
    return batch;
  } catch {
    return null;
  }
}

function joinBatch(s: AppSocket, batchId: number) {
  let fetched = false;
  const fetchOnce = () => {
    if (fetched) return;
    fetched = true;
    void refreshBatch(batchId);
  };
  s.emit('watch_batch', { batch_id: batchId }, fetchOnce);
  // A server that does not ack still gets the snapshot fetched, a moment later.
  setTimeout(fetchOnce, WATCH_ACK_TIMEOUT_MS);
}

/** subscribe, taking the latest prices the server sends back in its ack. */
function emitSubscribe(s: AppSocket, tokenIds: number[]) {
  s.emit('subscribe', { token_ids: tokenIds }, (res) => {
    const quotes = res && res.ok && Array.isArray(res.quotes) ? (res.quotes as PriceUpdate[]) : [];
    useQuotesStore.getState().applyMany(quotes);
  });
}

function resubscribe(s: AppSocket) {
  const tokens = [...tokenRefs.keys()];
  if (tokens.length) emitSubscribe(s, tokens);
  for (const batchId of watchedBatches.keys()) joinBatch(s, batchId);
  const clients = [...watchedClients.keys()];
  if (clients.length) s.emit('watch_clients', { client_ids: clients });
}

function scheduleRetry(delayMs: number) {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (socket && !socket.connected && useAuthStore.getState().accessToken) socket.connect();
  }, delayMs);
}

async function onRefused(message: string) {
  refusedAttempts++;
  useRealtimeStore.getState().setStatus('reconnecting', message);
  const ok = await useAuthStore.getState().refreshTokens();
  if (!useAuthStore.getState().accessToken) {
    stopRealtime(); // logged out
    return;
  }
  // First retry at once with the fresh token; then back off (the server keeps refusing, or no network).
  const backoff = Math.min(30_000, 1000 * 2 ** Math.min(refusedAttempts - 1, 5));
  scheduleRetry(ok && refusedAttempts === 1 ? 0 : backoff);
}

/** Opens the connection (idempotent). Call when signed in. */
export function startRealtime(): void {
  if (socket || typeof window === 'undefined') return;
  useRealtimeStore.getState().setStatus('connecting');
  const s: AppSocket = io({
    path: '/socket.io',
    // A function, so every reconnect sends the current (possibly refreshed) access token.
    auth: (cb) => cb({ token: useAuthStore.getState().accessToken }),
    // WebSocket only: a long-polling session is a series of requests that must all reach the one server process
    // holding it, which several workers on one port (or replicas behind a load balancer) do not guarantee without
    // sticky sessions. A WebSocket is one connection, so it stays with the process that accepted it.
    transports: ['websocket'],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
  socket = s;

  s.on('connect', () => {
    refusedAttempts = 0;
    useRealtimeStore.getState().setStatus('connected');
    resubscribe(s);
    // A halt or resume announced while this socket was down (or before it first connected) was missed.
    void useRiskStore.getState().refresh();
  });
  s.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    useRealtimeStore.getState().setStatus('reconnecting', reason);
    // The server closed the socket on purpose (e.g. the token expired): socket.io will not retry.
    if (reason === 'io server disconnect') void onRefused(reason);
  });
  s.on('connect_error', (err) => {
    if (s.active) {
      // Transport trouble: socket.io retries by itself.
      useRealtimeStore.getState().setStatus('reconnecting', err.message);
    } else {
      void onRefused(err.message);
    }
  });

  s.on('prices', (frame) => {
    useQuotesStore.getState().applyFrame(frame);
    emitLocal('prices', frame);
  });
  s.on('batch_progress', (e) => {
    useBatchStore.getState().applyProgress(e);
    emitLocal('batch_progress', e);
  });
  s.on('order_update', (o) => {
    useBatchStore.getState().applyOrderUpdate(o);
    emitLocal('order_update', o);
  });
  s.on('position_update', (p) => emitLocal('position_update', p));
  s.on('market_clock', (c) => emitLocal('market_clock', c));
  s.on('bars', (b) => emitLocal('bars', b));
  // The payload has no `you_are_halted` (it is per user): read this user's status. Through the
  // store, so an older poll answering later does not overwrite it.
  s.on('risk_status', (e) => {
    void useRiskStore.getState().refresh();
    emitLocal('risk_status', e);
  });
  // The server is about to drop the socket (token expired): get a fresh token for the reconnect.
  s.on('session_expired', (e) => {
    useRealtimeStore.getState().setStatus('reconnecting', e.message);
    void useAuthStore.getState().refreshTokens();
  });

  // A token refreshed by the REST client extends the socket's life (`renew`), so it is not cut
  // off when the old token expires.
  unsubscribeAuth = useAuthStore.subscribe((state, prev) => {
    if (state.accessToken && state.accessToken !== prev.accessToken && s.connected) {
      s.emit('renew', { token: state.accessToken });
    }
  });
}

/** Closes the connection and forgets it (logout). Subscriptions held by mounted pages stay counted. */
export function stopRealtime(): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  refusedAttempts = 0;
  unsubscribeAuth?.();
  unsubscribeAuth = null;
  const s = socket;
  socket = null;
  s?.removeAllListeners();
  s?.disconnect();
  useRealtimeStore.getState().setStatus('offline');
}

/** Follows live prices of these tokens while the returned function is not called. */
export function subscribeTokens(tokenIds: readonly number[]): () => void {
  const added: number[] = [];
  for (const id of new Set(tokenIds)) {
    const n = tokenRefs.get(id) ?? 0;
    tokenRefs.set(id, n + 1);
    if (n === 0) added.push(id);
  }
  if (added.length && socket?.connected) emitSubscribe(socket, added);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const removed: number[] = [];
    for (const id of new Set(tokenIds)) {
      const n = (tokenRefs.get(id) ?? 1) - 1;
      if (n <= 0) {
        tokenRefs.delete(id);
        removed.push(id);
      } else tokenRefs.set(id, n);
    }
    if (removed.length && socket?.connected) socket.emit('unsubscribe', { token_ids: removed });
  };
}

/** Joins a batch's room (now and after every reconnect) and fetches its snapshot once joined. */
export function watchBatch(batchId: number): () => void {
  const n = watchedBatches.get(batchId) ?? 0;
  watchedBatches.set(batchId, n + 1);
  if (n === 0 && socket?.connected) joinBatch(socket, batchId);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (watchedBatches.get(batchId) ?? 1) - 1;
    if (left > 0) {
      watchedBatches.set(batchId, left);
      return;
    }
    watchedBatches.delete(batchId);
    if (socket?.connected) socket.emit('unwatch_batch', { batch_id: batchId });
  };
}

/** Receives order/position events of these clients too (the server joins the ones visible at connect). */
export function watchClients(clientIds: readonly number[]): () => void {
  const added: number[] = [];
  for (const id of new Set(clientIds)) {
    const n = watchedClients.get(id) ?? 0;
    watchedClients.set(id, n + 1);
    if (n === 0) added.push(id);
  }
  if (added.length && socket?.connected) socket.emit('watch_clients', { client_ids: added });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const id of new Set(clientIds)) {
      const left = (watchedClients.get(id) ?? 1) - 1;
      if (left <= 0) watchedClients.delete(id);
      else watchedClients.set(id, left);
    }
  };
}

/** For tests and debugging. */
export function realtimeSubscriptions() {
  return { tokens: [...tokenRefs.keys()], batches: [...watchedBatches.keys()], connected: !!socket?.connected };
}
