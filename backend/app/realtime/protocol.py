"""What a socket command speaks: the error an ack carries, the state kept per socket, the reasons a session ends,
and the parsing of the ids commands send (app/realtime/server.py uses them)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.realtime import events

EXPIRED = ("SESSION_EXPIRED", "The access token expired: reconnect with a fresh one.")
INACTIVE = ("ACCOUNT_INACTIVE", "This account is deactivated or no longer exists.")
ENDED = ("SESSION_ENDED", "This session has ended: reconnect with a fresh access token.")
# The token predates the user's last sign-out (its token_version is older): refused as HTTP requests refuse it.
SIGNED_OUT = ("INVALID_TOKEN", "This session has ended (signed out); sign in again.")
ROLE_CHANGED = ("INVALID_TOKEN", "Your role changed: sign in again.")
END_REASONS = {events.ROLE_CHANGED: ROLE_CHANGED, events.DEACTIVATED: INACTIVE, events.SIGNED_OUT: SIGNED_OUT}
MAX_IDS_PER_CALL = 1_000
MAX_ID = 2**63 - 1


class RequestError(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def ack(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message, "details": self.details}}


@dataclass
class SocketState:
    user_id: int
    expires_at: datetime
    # The token_version of the token the session runs on: a sign-out since bumps the user's, ending the session.
    token_version: int
    token_ids: set[int] = field(default_factory=set)
    # Subscribed instruments that changed while the socket's queue was too full for a price frame (realtime/prices.py).
    owed_quotes: set[int] = field(default_factory=set)
    timer: asyncio.TimerHandle | None = None
    ended: bool = False


@dataclass(eq=False)
class Admission:
    """A connect under way: a SESSIONS_ENDED for its user meanwhile is applied once it is registered."""

    user_id: int
    ended_below: int = 0
    end_reason: tuple[str, str] = ENDED


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def ids_in(data: object, key: str, limit: int) -> list[int]:
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, list) or not 0 < len(values) <= limit or not all(is_id(v) for v in values):
        raise RequestError("INVALID_REQUEST", f"Send {{{key}: [...]}}: 1 to {limit} positive integer ids.")
    return list(dict.fromkeys(values))


def id_in(data: object, key: str) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if not is_id(value):
        raise RequestError("INVALID_REQUEST", f"Send {{{key}: <positive integer>}}.")
    return value  # type: ignore[return-value]


def still_live(state: SocketState) -> None:
    """Called after a command's last await and before it joins rooms: the session may have ended meanwhile."""
    if state.ended:
        raise RequestError(*ENDED)


Command = Callable[[str, SocketState, User, AsyncSession, Any], Awaitable[dict[str, Any]]]
