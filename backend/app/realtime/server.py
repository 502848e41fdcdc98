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
- `subscribe` / `unsubscribe {token_ids}`: stream `price_update` for those instruments, at most
  MULTIDESK_PRICE_EMIT_INTERVAL_MS apart per instrument (latest wins), at most realtime_max_subscriptions per socket.
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
own sockets subscribed, so price updates are emitted to local sockets only.

Without Redis (unreachable, or no answer within MULTIDESK_REDIS_TIMEOUT_S) events still reach the sockets connected
to the process that sent them, and only those; the manager stops trying to publish until Redis is tried again
(every redis_manager.REDIS_RETRY_S), logs the outage once and its end once, and resubscribes by itself when Redis
is back.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import socketio
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import Quote
from app.context import AppContext
from app.enums import Role
from app.market.feed import PriceStream, price_payload
from app.models import Batch, Client, Instrument, User
from app.observability.metrics import SOCKET_CONNECTIONS
from app.realtime import events
from app.realtime.redis_manager import RedisManager
from app.security.tokens import InvalidToken, TokenClaims
from app.services.accounts import instrument_ref
from app.services.clients import visible_clients
from app.services.order_writer import batch_done_total
from app.tasks import TaskSet

log = logging.getLogger(__name__)

OUTBOX_SIZE = 10_000
# A socket whose session ended is disconnected this much later, so the answer to the command that found out arrives.
END_GRACE_S = 0.5
EXPIRED = ("SESSION_EXPIRED", "The access token expired: reconnect with a fresh one.")
INACTIVE = ("ACCOUNT_INACTIVE", "This account is deactivated or no longer exists.")
ENDED = ("SESSION_ENDED", "This session has ended: reconnect with a fresh access token.")
# The token predates the user's last sign-out (its token_version is older): refused as HTTP requests refuse it.
SIGNED_OUT = ("INVALID_TOKEN", "This session has ended (signed out); sign in again.")
ROLE_CHANGED = ("INVALID_TOKEN", "Your role changed: sign in again.")
_END_REASONS = {events.ROLE_CHANGED: ROLE_CHANGED, events.DEACTIVATED: INACTIVE, events.SIGNED_OUT: SIGNED_OUT}
MAX_IDS_PER_CALL = 1_000
_MAX_ID = 2**63 - 1


class RequestError(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def ack(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message, "details": self.details}}


@dataclass
class _Socket:
    user_id: int
    expires_at: datetime
    # The token_version of the token the session runs on: a sign-out since bumps the user's, ending the session.
    token_version: int
    token_ids: set[int] = field(default_factory=set)
    timer: asyncio.TimerHandle | None = None
    ended: bool = False


@dataclass(eq=False)
class _Admission:
    """A connect under way: a SESSIONS_ENDED for its user meanwhile is applied once it is registered."""

    user_id: int
    ended_below: int = 0
    end_reason: tuple[str, str] = ENDED


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_ID


def _ids(data: object, key: str, limit: int) -> list[int]:
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, list) or not 0 < len(values) <= limit or not all(_is_id(v) for v in values):
        raise RequestError("INVALID_REQUEST", f"Send {{{key}: [...]}}: 1 to {limit} positive integer ids.")
    return list(dict.fromkeys(values))


def _id(data: object, key: str) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if not _is_id(value):
        raise RequestError("INVALID_REQUEST", f"Send {{{key}: <positive integer>}}.")
    return value  # type: ignore[return-value]


def _still_live(state: _Socket) -> None:
    """Called after a command's last await and before it joins rooms: the session may have ended meanwhile."""
    if state.ended:
        raise RequestError(*ENDED)


Command = Callable[[str, _Socket, User, AsyncSession, Any], Awaitable[dict[str, Any]]]


class RealtimeServer:
    def __init__(self, ctx: AppContext) -> None:
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
            logger=False,
            engineio_logger=False,
        )
        self.ctx = ctx
        self.prices = PriceStream(ctx.feed, self._emit_price, settings.price_emit_interval_ms / 1000)
        self.max_subscriptions = settings.realtime_max_subscriptions
        self._sockets: dict[str, _Socket] = {}
        # Connects between their token check and their registration in _sockets: SESSIONS_ENDED marks them too.
        self._admitting: set[_Admission] = set()
        self._outbox: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue(OUTBOX_SIZE)
        self._tasks = TaskSet()
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        commands: dict[str, Command] = {
            "watch_clients": self._watch_clients,
            "watch_batch": self._watch_batch,
            "unwatch_batch": self._unwatch_batch,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "renew": self._renew,
        }
        for name, command in commands.items():
            self.sio.on(name, self._command(command))

    # --- lifecycle

    async def start(self) -> None:
        self.ctx.events.subscribe(self._on_event)
        self._tasks.spawn(self._deliver(), name="realtime-outbox")
        self._tasks.spawn(self.prices.run(), name="price-stream")
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
        admission: _Admission | None = None
        try:
            claims = self._claims(token)
            admission = _Admission(claims.user_id)
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
        state = _Socket(user_id=claims.user_id, expires_at=claims.expires_at, token_version=claims.version)
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
            client_ids = await session.scalars(visible_clients(user).with_only_columns(Client.id))
            rooms.update(events.client_room(client_id) for client_id in client_ids)
        else:
            rooms.add(events.ALL_CLIENTS_ROOM)
        return rooms

    async def _end_user_sessions(self, event: str, room: str, payload: object) -> None:
        """SESSIONS_ENDED (from this process's bus or another's through Redis): ends the user's older sockets now."""
        user_id = payload.get("user_id") if isinstance(payload, dict) else None
        version = payload.get("token_version") if isinstance(payload, dict) else None
        if not (_is_id(user_id) and isinstance(version, int)):
            log.warning("malformed %s message: %r", event, payload)
            return
        assert isinstance(payload, dict)
        reason = _END_REASONS.get(payload.get("reason"), ENDED)
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
        SOCKET_CONNECTIONS.dec()
        if state.timer is not None:
            state.timer.cancel()
        await self.prices.remove(state.token_ids)

    def _arm(self, sid: str, state: _Socket, expires_at: datetime) -> None:
        state.expires_at = expires_at
        if state.timer is not None:
            state.timer.cancel()
        delay = max(0.0, (expires_at - datetime.now(UTC)).total_seconds())
        state.timer = asyncio.get_running_loop().call_later(delay, self._on_expiry, sid, state)

    def _on_expiry(self, sid: str, state: _Socket) -> None:
        self._tasks.spawn(self._end_session(sid, state, *EXPIRED), name=f"expire-socket-{sid}")

    async def _end_session(self, sid: str, state: _Socket, code: str, message: str) -> None:
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

    async def _live_user(self, sid: str, state: _Socket, session: AsyncSession) -> User:
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

    async def _watch_clients(
        self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = _ids(data, "client_ids", MAX_IDS_PER_CALL)
        query = visible_clients(user).where(Client.id.in_(wanted)).with_only_columns(Client.id)
        visible = set(await session.scalars(query))
        hidden = [client_id for client_id in wanted if client_id not in visible]
        if hidden:
            # Another advisor's client is refused exactly like a missing one.
            raise RequestError("CLIENT_NOT_FOUND", "No client with these ids.", client_ids=hidden)
        _still_live(state)
        for client_id in wanted:
            await self.sio.enter_room(sid, events.client_room(client_id))
        return {"ok": True, "client_ids": wanted}

    async def _visible_batch(self, user: User, session: AsyncSession, batch_id: int) -> Batch:
        batch = await session.get(Batch, batch_id)
        if batch is None or (user.role == Role.ADVISOR and batch.created_by != user.id):
            raise RequestError("BATCH_NOT_FOUND", f"No batch with id {batch_id}.", batch_id=batch_id)
        return batch

    async def _may_see_batch(self, user: User, session: AsyncSession, batch_id: int) -> bool:
        try:
            await self._visible_batch(user, session, batch_id)
        except RequestError:
            return False
        return True

    async def _watch_batch(
        self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        batch_id = _id(data, "batch_id")
        batch = await self._visible_batch(user, session, batch_id)
        _still_live(state)
        # Join first, then read: a row resolving in between is in the counts or arrives as an event (or both).
        await self.sio.enter_room(sid, events.batch_room(batch_id))
        done, total = await batch_done_total(session, batch_id)
        return {"ok": True, "batch_id": batch_id, "status": batch.status, "done": done, "total": total}

    async def _unwatch_batch(
        self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        batch_id = _id(data, "batch_id")
        await self.sio.leave_room(sid, events.batch_room(batch_id))
        return {"ok": True, "batch_id": batch_id}

    async def _subscribe(
        self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = _ids(data, "token_ids", self.max_subscriptions)
        asked = [token_id for token_id in wanted if token_id not in state.token_ids]
        found = {
            instrument.token_id: instrument
            for instrument in await session.scalars(select(Instrument).where(Instrument.token_id.in_(asked)))
        }
        unknown = [token_id for token_id in asked if token_id not in found]
        # Checked again after the query: the session may have ended, another subscribe may have run meanwhile.
        _still_live(state)
        new = [found[token_id] for token_id in asked if token_id in found and token_id not in state.token_ids]
        if len(state.token_ids) + len(new) > self.max_subscriptions:
            raise RequestError(
                "TOO_MANY_SUBSCRIPTIONS",
                f"A socket streams at most {self.max_subscriptions} instruments; unsubscribe some first.",
                limit=self.max_subscriptions,
                subscribed=len(state.token_ids),
            )
        state.token_ids.update(instrument.token_id for instrument in new)
        await self.prices.add([instrument_ref(instrument) for instrument in new])
        for instrument in new:
            await self.sio.enter_room(sid, events.token_room(instrument.token_id))
        quotes = [self.prices.latest(token_id) for token_id in wanted if token_id in state.token_ids]
        return {
            "ok": True,
            "token_ids": sorted(state.token_ids),
            "unknown": unknown,
            "quotes": [price_payload(quote) for quote in quotes if quote is not None],
        }

    async def _unsubscribe(
        self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object
    ) -> dict[str, Any]:
        wanted = _ids(data, "token_ids", self.max_subscriptions)
        gone = [token_id for token_id in wanted if token_id in state.token_ids]
        state.token_ids.difference_update(gone)
        await self.prices.remove(gone)
        for token_id in gone:
            await self.sio.leave_room(sid, events.token_room(token_id))
        return {"ok": True, "token_ids": sorted(state.token_ids)}

    async def _renew(self, sid: str, state: _Socket, user: User, session: AsyncSession, data: object) -> dict[str, Any]:
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
        visible_batches = {batch_id for batch_id in watched if await self._may_see_batch(renewed, session, batch_id)}
        _still_live(state)
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

    async def _emit_price(self, quote: Quote) -> None:
        # Local sockets only: each process streams the instruments its own sockets subscribed.
        room = events.token_room(quote.token_id)
        await self.sio.emit(events.PRICE_UPDATE, price_payload(quote), to=room, ignore_queue=True)


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
