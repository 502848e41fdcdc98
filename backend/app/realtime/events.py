"""Event names, room names, and the bus services publish on; listeners (the Socket.IO bridge, tests) subscribe."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

ORDER_UPDATE = "order_update"
POSITION_UPDATE = "position_update"
BATCH_PROGRESS = "batch_progress"
# One frame per socket per flush with the subscribed instruments that changed (app/realtime/prices.py).
PRICES = "prices"
# Once a second per socket, the live 1-minute candles of its subscribed instruments that changed (app/realtime/bars.py).
BARS = "bars"
# While replaying: the replayed time, once a second (app/realtime/clock.py).
MARKET_CLOCK = "market_clock"
# A halt or resume was committed: every desk refetches GET /risk/status (its `you_are_halted` is per user).
RISK_STATUS = "risk_status"
# Sent to one socket just before the server disconnects it: its access token expired or its user was deactivated.
SESSION_EXPIRED = "session_expired"
# Internal, never sent to a browser: every backend process ends the sockets of payload["user_id"] that run on a
# token_version older than payload["token_version"]. Published to the user's advisor room, so the Redis bridge
# carries it to every process. payload["reason"] is one of the reasons below.
SESSIONS_ENDED = "multidesk.sessions_ended"
ROLE_CHANGED = "role_changed"
DEACTIVATED = "deactivated"
SIGNED_OUT = "signed_out"

# Admins and viewers see every client: they sit in this one room, and client events are sent to it too.
ALL_CLIENTS_ROOM = "clients:all"
# Every signed-in socket sits in this room, for what concerns every desk (the kill switch).
ALL_USERS_ROOM = "users:all"

Listener = Callable[[str, str, dict[str, Any]], Awaitable[None]]


def client_room(client_id: int) -> str:
    return f"client:{client_id}"


def advisor_room(user_id: int) -> str:
    return f"advisor:{user_id}"


def sessions_ended(user_id: int, token_version: int, reason: str) -> tuple[str, str, dict[str, Any]]:
    """The (event, room, payload) that ends the user's sessions older than token_version, in every process."""
    return SESSIONS_ENDED, advisor_room(user_id), {"user_id": user_id, "token_version": token_version, "reason": reason}


def batch_room(batch_id: int) -> str:
    return f"batch:{batch_id}"


class EventBus:
    """Fan-out of (event, room, payload) to every listener; a failing listener never fails the publisher."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    async def publish(self, event: str, room: str, payload: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                await listener(event, room, payload)
            except Exception:
                log.exception("event listener failed for %s to %s", event, room)
