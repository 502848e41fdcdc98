"""Audit events: an append-only hash chain of every state-changing action."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    ts: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(sa_type=String(64), index=True)
    entity_type: str | None = Field(default=None, sa_type=String(32))
    entity_id: str | None = Field(default=None, sa_type=String(64))
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64), unique=True)


class AuditHead(SQLModel, table=True):
    """The chain's single head row; updating it first serialises appends on both databases."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    last_hash: str = Field(sa_type=String(64))
    length: int = 0
