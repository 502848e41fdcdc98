"""Access and refresh JWTs (HS256).

Every token carries the user's `ver` (users.token_version: bumping it ends every session) and a unique `jti`
(a refresh token's jti is spent when it is used, so each refresh token works once).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

TokenKind = Literal["access", "refresh"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or of the wrong kind."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    version: int
    jti: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta

    def issue(self, user_id: int, kind: TokenKind, version: int = 0) -> str:
        now = datetime.now(UTC)
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        claims = {
            "sub": str(user_id),
            "type": kind,
            "ver": version,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def claims(self, token: str, kind: TokenKind) -> TokenClaims:
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["sub", "exp", "type"]})
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["type"] != kind:
            raise InvalidToken(f"expected a {kind} token")
        version, jti = claims.get("ver", 0), claims.get("jti")
        if not isinstance(version, int) or isinstance(version, bool) or not (jti is None or isinstance(jti, str)):
            raise InvalidToken("malformed claims")
        try:
            user_id = int(claims["sub"])
        except (TypeError, ValueError) as exc:
            raise InvalidToken("malformed subject") from exc
        try:
            expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidToken("malformed expiry") from exc
        return TokenClaims(user_id, version, jti, expires_at)

    def user_id(self, token: str, kind: TokenKind) -> int:
        return self.claims(token, kind).user_id
