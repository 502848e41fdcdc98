"""python-socketio's Redis manager, with bounded Redis calls, a breaker on publishing, and internal events.

Internal events (events.SESSIONS_ENDED) travel on the same channel as Socket.IO's own messages but reach no socket:
every other process hands them to `on_internal` (the realtime server, which ends the user's sockets).
"""

import logging
import time
from typing import Any

import socketio

from app.realtime import events

log = logging.getLogger(__name__)

# Seconds between attempts to publish again while Redis is unreachable.
REDIS_RETRY_S = 5.0


class RedisManager(socketio.AsyncRedisManager):
    """python-socketio's Redis manager with bounded Redis calls and a breaker on publishing.

    The manager hands an event to this process's own sockets first and then publishes it for the others. Its own
    `_publish` (the documented extension point of pub/sub managers) tries twice and logs twice for every event, so
    with Redis gone each event would wait for two failed attempts (two timeouts when Redis hangs) before the next
    could go out, even to local sockets. This one tries once, then skips publishing for REDIS_RETRY_S.
    """

    def __init__(self, url: str, *, channel: str, timeout_s: float, on_internal: events.Listener) -> None:
        super().__init__(
            url, channel=channel, redis_options={"socket_connect_timeout": timeout_s, "socket_timeout": timeout_s}
        )
        # While Redis is unreachable: when to try publishing again.
        self._retry_at: float | None = None
        self._on_internal = on_internal

    async def relay(self, event: str, room: str, payload: dict[str, Any]) -> None:
        """Hands an internal event (events.SESSIONS_ENDED) to the other processes only; no socket receives it."""
        message = {"method": "emit", "event": event, "data": payload, "namespace": "/", "room": room}
        await self._publish(message | {"skip_sid": None, "callback": None, "host_id": self.host_id})

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == events.SESSIONS_ENDED:
            await self._on_internal(events.SESSIONS_ENDED, message.get("room", ""), message.get("data"))
            return
        await super()._handle_emit(message)

    async def _publish(self, data: Any) -> Any:
        if self._retry_at is not None and time.monotonic() < self._retry_at:
            return None
        try:
            if not self.connected:
                self._redis_connect()
            result = await self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:
            self.connected = False
            if self._retry_at is None:
                log.error(
                    "Redis unreachable (%s: %s); Socket.IO events reach this process's sockets only until it is back",
                    type(exc).__name__,
                    exc,
                )
            self._retry_at = time.monotonic() + REDIS_RETRY_S
            return None
        if self._retry_at is not None:
            log.warning("Redis reachable again; Socket.IO events reach every process again")
            self._retry_at = None
        return result
