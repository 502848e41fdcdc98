"""Refresh tokens that may no longer be used: spent by a refresh (rotation) or revoked by a logout."""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime


class RevokedToken(SQLModel, table=True):
    __tablename__ = "revoked_tokens"

    # The token's `jti`; the primary key makes "spend it" one atomic insert (a second use fails).
    jti: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    # The token's own expiry: past it the row can go, the token is refused anyway.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
