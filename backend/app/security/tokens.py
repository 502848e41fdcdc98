"""Access and refresh JWTs (HS256)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

TokenKind = Literal["access", "refresh"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or of the wrong kind."""


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta

    def issue(self, user_id: int, kind: TokenKind) -> str:
        now = datetime.now(UTC)
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        claims = {"sub": str(user_id), "type": kind, "iat": now, "exp": now + ttl}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def user_id(self, token: str, kind: TokenKind) -> int:
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["sub", "exp", "type"]})
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["type"] != kind:
            raise InvalidToken(f"expected a {kind} token")
        try:
            return int(claims["sub"])
        except ValueError as exc:
            raise InvalidToken("malformed subject") from exc
