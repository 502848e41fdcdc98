"""The Socket.IO server at /socket.io: JWT on connect, rooms, the event-bus bridge and the coalesced price stream.

Contract (every ack is `{"ok": true, ...}` or `{"ok": false, "error": {"code", "message", "details"}}`):

- connect with `auth: {token: <access JWT>}`; refused (connect_error `{message, data: {code}}`) when the token is
  missing, malformed, expired, not an access token, issued before the user signed out (an older token_version),
  or its user is deactivated. The socket joins `users:all` (`risk_status` after every halt or resume),
  `advisor:{user_id}`, and `client:{id}` for each of an advisor's clients; admins and viewers join `clients:all`,
  which receives every client event (so they also see clients created after they connected).
- `watch_clients {client_ids}`: join those client rooms; refused as a whole (CLIENT_NOT_FOUND, the ids in details)
  if any is not visible to the user.
- `watch_batch {batch_id}` / `unwatch_batch {batch_id}`: the batch's `batch_progress` events (an advisor: own
  batches only); the ack carries the progress so far (status, done, total).
- `subscribe` / `unsubscribe {token_ids}`: stream those instruments' prices, at most realtime_max_subscriptions per
  socket: every MULTIDESK_PRICE_EMIT_INTERVAL_MS one `prices {ts, quotes}` frame holding the ones that changed
  (latest wins; app/realtime/prices.py). The ack's `quotes` are their latest quotes, each with its `ts`.
  Subscribers also get, once a second, one `bars {bars: [{token_id, interval: "1m", bar}, ...]}` frame with the
  live 1-minute candles (each `bar` a /market/bars item) of their instruments that changed, and a minute's candle
  once more when it closes (complete: true; app/realtime/bars.py). Candles are per process, like prices. Both
  streams are state on the socket (SocketState.token_ids), not rooms.
- `market_clock {now, running}`: while the market data is a replay, the replayed time once a second (clock.py).
- `renew {token}`: a fresh access token for the same user extends the socket's life. It passes connect's check; a
  token of this user that connect would refuse (signed out since, or the user deactivated) also ends the socket.
  The socket's rooms are recomputed as connect would choose them now (the user's role and clients today).
  When a session ends (its token's expiry, a command finding the user deactivated, such a renew) the server sends
  `session_expired {code, message}` and disconnects.
- A role change (INVALID_TOKEN), deactivation (ACCOUNT_INACTIVE) or logout (INVALID_TOKEN) bumps the user's
  token_version and publishes events.SESSIONS_ENDED: every socket of the user on an older token_version is ended at
  once, in this process at publication and in the others through Redis (app.realtime.redis_manager). If Redis is
  unreachable then, the other processes' sockets end at their next command, renew or token expiry instead.

Events services publish on the EventBus go out through one queue (services never wait on sockets or Redis) to
their room: with a Redis manager, to every backend process. Prices are per process: each process streams what its
own sockets subscribed, so price frames go to local sockets only.

Without Redis (unreachable, or no answer within MULTIDESK_REDIS_TIMEOUT_S) events still reach the sockets connected
to the process that sent them, and only those; the manager stops trying to publish until Redis is tried again
(every redis_manager.REDIS_RETRY_S), logs the outage once and its end once, and resubscribes by itself when Redis
is back.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import socketio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.enums import Role
from app.market.feed import PriceStream
from app.models import Client, User
from app.observability.metrics import SOCKET_CONNECTIONS
from app.realtime import events
from app.realtime.bars import BarStream
from app.realtime.clock import run_market_clock
from app.realtime.commands import SocketCommands
from app.realtime.fanout import LocalSockets
from app.realtime.prices import PriceFrames
from app.realtime.protocol import (
    END_REASONS,
    ENDED,
    EXPIRED,
    INACTIVE,
    SIGNED_OUT,
    Admission,
    Command,
    RequestError,
    SocketState,
    is_id,
    still_live,
)
from app.realtime.reads import DeskReads
from app.realtime.redis_manager import RedisManager
from app.security.tokens import InvalidToken, TokenClaims
from app.tasks import TaskSet

log = logging.getLogger(__name__)

OUTBOX_SIZE = 10_000
# A socket whose session ended is disconnected this much later, so the answer to the command that found out arrives.
END_GRACE_S = 0.5


class RealtimeServer:
    def __init__(self, ctx: AppContext, reads: DeskReads) -> None:
        settings = ctx.settings
        manager = (
            RedisManager(
                settings.redis_url,
                channel=settings.realtime_redis_channel,
                timeout_s=settings.redis_timeout_s,
                on_internal=self._end_user_sessions,
            )
            if settings.redis_url
            else None
        )
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            # None: same origin only (the SPA is served from this port); the REST CORS list otherwise.
            cors_allowed_origins=settings.cors_origins or None,
            # WebSocket only, as the web app connects: a long-polling session is many requests that must all reach
            # the process holding it, which several workers on one port do not guarantee (no sticky sessions).
            transports=["websocket"],
            logger=False,
            engineio_logger=False,
        )
        self.ctx = ctx
        self.reads = reads
        self._sockets: dict[str, SocketState] = {}
        local = LocalSockets(self.sio, self._sockets)
        self.price_frames = PriceFrames(local, lambda token_id: self.prices.latest(token_id))
        self.prices = PriceStream(ctx.market, self.price_frames.send, settings.price_emit_interval_ms / 1000)
        self.bars = BarStream(local, lambda: ctx.candles, lambda: self.prices.subscribed, ctx.market_now)
        # Connects between their token check and their registration in _sockets: SESSIONS_ENDED marks them too.
        self._admitting: set[Admission] = set()
        self._outbox: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue(OUTBOX_SIZE)
        self._tasks = TaskSet()
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.commands = SocketCommands(self.sio, self.prices, settings.realtime_max_subscriptions, reads)
        commands: dict[str, Command] = {
            "watch_clients": self.commands.watch_clients,
            "watch_batch": self.commands.watch_batch,
            "unwatch_batch": self.commands.unwatch_batch,
            "subscribe": self.commands.subscribe,
            "unsubscribe": self.commands.unsubscribe,
            "renew": self._renew,
        }
        for name, command in commands.items():
            self.sio.on(name, self._command(command))

    # --- lifecycle

    async def start(self) -> None:
        self.ctx.events.subscribe(self._on_event)
        self._tasks.spawn(self._deliver(), name="realtime-outbox")
        self._tasks.spawn(self.prices.run(), name="price-stream")
        self._tasks.spawn(self.bars.run(), name="bar-stream")
        if self.ctx.settings.market_data == "replay":
            self._tasks.spawn(run_market_clock(self.sio, self.ctx.market), name="market-clock")
        if not self.sio.manager_initialized:
            # Now rather than at the first connection: a Redis-backed process relays other processes' events at once.
            self.sio.manager_initialized = True
            self.sio.manager.initialize()

    async def close(self) -> None:
        self.ctx.events.unsubscribe(self._on_event)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await self._outbox.join()
        for state in self._sockets.values():
            if state.timer is not None:
                state.timer.cancel()
        await self._tasks.close()
        await self.sio.shutdown()
        listener = getattr(self.sio.manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        redis = getattr(self.sio.manager, "redis", None)
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()

    # --- connection

    def _claims(self, token: object) -> TokenClaims:
        """The claims of a present, well-signed, unexpired access token; MISSING_TOKEN or INVALID_TOKEN otherwise."""
        if not isinstance(token, str) or not token:
            raise RequestError("MISSING_TOKEN", "Sign in first: send the access token as auth: {token}.")
        try:
            return self.ctx.tokens.claims(token, "access")
        except InvalidToken:
            raise RequestError("INVALID_TOKEN", "The access token is invalid or has expired.") from None

    async def _admit(self, session: AsyncSession, claims: TokenClaims) -> User:
        """The user whose token may start (connect) or extend (renew) a session, checked as HTTP requests are.

        Refused when the user is deactivated or gone (ACCOUNT_INACTIVE) or signed out since the token was issued
        (its token_version is not the user's: INVALID_TOKEN).
        """
        user = await session.get(User, claims.user_id)
        if user is None or not user.is_active:
            raise RequestError(*INACTIVE)
        if claims.version != user.token_version:
            raise RequestError(*SIGNED_OUT)
        return user

    async def _connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        admission: Admission | None = None
        try:
            claims = self._claims(token)
            admission = Admission(claims.user_id)
            self._admitting.add(admission)
            async with self.ctx.sessions() as session:
                user = await self._admit(session, claims)
                rooms = await self._rooms(session, user)
            for room in rooms:
                await self.sio.enter_room(sid, room)
        except RequestError as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.message, {"code": exc.code}) from None
        finally:
            if admission is not None:
                self._admitting.discard(admission)
        state = SocketState(user_id=claims.user_id, expires_at=claims.expires_at, token_version=claims.version)
        self._sockets[sid] = state
        SOCKET_CONNECTIONS.inc()
        self._arm(sid, state, claims.expires_at)
        assert admission is not None
        if claims.version < admission.ended_below:
            # The user's sessions ended after the token was checked against the database.
            await self._end_session(sid, state, *admission.end_reason)

    async def _rooms(self, session: AsyncSession, user: User) -> set[str]:
        """The rooms the user's role gives a socket: every desk's, their own, and the clients they may see."""
        assert user.id is not None
        rooms = {events.ALL_USERS_ROOM, events.advisor_room(user.id)}
        if user.role == Role.ADVISOR:
            client_ids = await session.scalars(self.reads.visible_clients(user).with_only_columns(Client.id))
            rooms.update(events.client_room(client_id) for client_id in client_ids)
        else:
            rooms.add(events.ALL_CLIENTS_ROOM)
        return rooms

    async def _end_user_sessions(self, event: str, room: str, payload: object) -> None:
        """SESSIONS_ENDED (from this process's bus or another's through Redis): ends the user's older sockets now."""
        user_id = payload.get("user_id") if isinstance(payload, dict) else None
        version = payload.get("token_version") if isinstance(payload, dict) else None
        if not (is_id(user_id) and isinstance(version, int)):
            log.warning("malformed %s message: %r", event, payload)
            return
        assert isinstance(payload, dict)
        reason = END_REASONS.get(payload.get("reason"), ENDED)
        for admission in self._admitting:
            if admission.user_id == user_id and version > admission.ended_below:
                admission.ended_below, admission.end_reason = version, reason
        for sid, state in list(self._sockets.items()):
            if state.user_id == user_id and state.token_version < version:
                await self._end_session(sid, state, *reason)

    async def _disconnect(self, sid: str, reason: object = None) -> None:
        state = self._sockets.pop(sid, None)
        if state is None:
            return
        # A command still running for this socket (its awaits outlive the socket) must not join rooms after this.
        state.ended = True
        SOCKET_CONNECTIONS.dec()
        if state.timer is not None:
            state.timer.cancel()
        await self.prices.remove(state.token_ids)

    def _arm(self, sid: str, state: SocketState, expires_at: datetime) -> None:
        state.expires_at = expires_at
        if state.timer is not None:
            state.timer.cancel()
        delay = max(0.0, (expires_at - datetime.now(UTC)).total_seconds())
        state.timer = asyncio.get_running_loop().call_later(delay, self._on_expiry, sid, state)

    def _on_expiry(self, sid: str, state: SocketState) -> None:
        self._tasks.spawn(self._end_session(sid, state, *EXPIRED), name=f"expire-socket-{sid}")

    async def _end_session(self, sid: str, state: SocketState, code: str, message: str) -> None:
        """Stop everything flowing to the socket now, tell it why, and disconnect it shortly after."""
        if state.ended:
            return
        state.ended = True
        if state.timer is not None:
            state.timer.cancel()
        for room in self.sio.rooms(sid):
            if room != sid:
                await self.sio.leave_room(sid, room)
        gone = list(state.token_ids)
        state.token_ids.clear()
        await self.prices.remove(gone)
        await self.sio.emit(events.SESSION_EXPIRED, {"code": code, "message": message}, to=sid, ignore_queue=True)
        asyncio.get_running_loop().call_later(END_GRACE_S, self._disconnect_soon, sid)

    def _disconnect_soon(self, sid: str) -> None:
        if sid in self._sockets:
            self._tasks.spawn(self.sio.disconnect(sid, ignore_queue=True), name=f"disconnect-socket-{sid}")

    # --- commands

    def _command(self, command: Command) -> Callable[..., Awaitable[dict[str, Any]]]:
        async def handle(sid: str, data: object = None) -> dict[str, Any]:
            state = self._sockets.get(sid)
            if state is None:
                return RequestError("NOT_CONNECTED", "This socket is not signed in.").ack()
            try:
                async with self.ctx.sessions() as session:
                    user = await self._live_user(sid, state, session)
                    return await command(sid, state, user, session, data)
            except RequestError as exc:
                return exc.ack()

        return handle

    async def _live_user(self, sid: str, state: SocketState, session: AsyncSession) -> User:
        if state.ended:
            raise RequestError(*ENDED)
        if state.expires_at <= datetime.now(UTC):
            await self._end_session(sid, state, *EXPIRED)
            raise RequestError(*EXPIRED)
        user = await session.get(User, state.user_id)
        if user is None or not user.is_active:
            await self._end_session(sid, state, *INACTIVE)
            raise RequestError(*INACTIVE)
        if user.token_version != state.token_version:
            await self._end_session(sid, state, *SIGNED_OUT)
            raise RequestError(*SIGNED_OUT)
        return user

    async def _renew(
        self, sid: str, state: SocketState, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        # A malformed, expired or other user's token is only refused: the socket keeps the life it had.
        claims = self._claims(data.get("token") if isinstance(data, dict) else None)
        if claims.user_id != state.user_id:
            raise RequestError("INVALID_TOKEN", "That token belongs to another user; reconnect to switch users.")
        try:
            renewed = await self._admit(session, claims)
        except RequestError as exc:
            # This user signed out (or was deactivated): connect would refuse the socket now, so it ends here too.
            await self._end_session(sid, state, exc.code, exc.message)
            raise
        rooms = await self._rooms(session, renewed)
        watched = [int(room.split(":")[1]) for room in self.sio.rooms(sid) if room.startswith("batch:")]
        visible_batches = {
            batch_id for batch_id in watched if await self.commands.may_see_batch(renewed, session, batch_id)
        }
        still_live(state)
        # What the user may hear now, as connect would decide it: a role or client change since is applied.
        for room in self.sio.rooms(sid):
            kind, _, ident = room.partition(":")
            if (kind in ("client", "clients") and room not in rooms) or (
                kind == "batch" and int(ident) not in visible_batches
            ):
                await self.sio.leave_room(sid, room)
        for room in rooms:
            await self.sio.enter_room(sid, room)
        state.token_version = claims.version
        self._arm(sid, state, claims.expires_at)
        return {"ok": True, "expires_at": claims.expires_at.isoformat()}

    # --- outgoing

    async def _on_event(self, event: str, room: str, payload: dict[str, Any]) -> None:
        if event == events.SESSIONS_ENDED:
            # This process's sockets now, before anything else queued reaches them; the others through the outbox.
            await self._end_user_sessions(event, room, payload)
            if not isinstance(self.sio.manager, RedisManager):
                return
        try:
            self._outbox.put_nowait((event, room, payload))
        except asyncio.QueueFull:
            log.warning("realtime outbox full (%d): dropped %s to %s", OUTBOX_SIZE, event, room)

    async def _deliver(self) -> None:
        while True:
            event, room, payload = await self._outbox.get()
            try:
                to: str | list[str] = room
                if room.startswith("client:"):
                    to = [room, events.ALL_CLIENTS_ROOM]
                if event == events.SESSIONS_ENDED:
                    assert isinstance(self.sio.manager, RedisManager)
                    await self.sio.manager.relay(event, room, payload)
                else:
                    await self.sio.emit(event, payload, to=to)
            except Exception:
                log.exception("could not emit %s to %s", event, room)
            finally:
                self._outbox.task_done()


class MultiDeskApp(socketio.ASGIApp):
    """One ASGI app: Socket.IO at /socket.io, everything else (REST, health, SPA, lifespan) to FastAPI.

    `api` is the FastAPI instance and `state` its state (`app.state.ctx`), as if this were the FastAPI app.
    """

    def __init__(self, api: FastAPI, realtime: RealtimeServer, http: Any = None) -> None:
        # `http`: the ASGI app non-Socket.IO traffic goes to (FastAPI wrapped in app.api.edge.HttpEdge); default `api`.
        super().__init__(realtime.sio, other_asgi_app=http or api, socketio_path="socket.io")
        self.api = api
        self.realtime = realtime

    @property
    def state(self) -> Any:
        return self.api.state
