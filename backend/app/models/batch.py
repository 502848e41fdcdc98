"""Batches: one execute-all or exit-by-token request and its idempotency key."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.enums import BatchKind, BatchStatus
from app.models.types import EnumText, UTCDateTime, utcnow


class Batch(SQLModel, table=True):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_batches_idempotency"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: BatchKind = Field(sa_type=EnumText(BatchKind))
    status: BatchStatus = Field(default=BatchStatus.RUNNING, sa_type=EnumText(BatchStatus))
    created_by: int = Field(foreign_key="users.id", index=True)
    idempotency_key: str | None = Field(default=None, sa_type=String(128))
    # sha256 of the request body: a reused key with a different body is refused, not replayed.
    request_hash: str = Field(sa_type=String(64))
    token_id: int = Field(foreign_key="instruments.token_id", sa_type=BigInteger)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A retry batch names the batch whose failed rows it sends again (app/services/retries.py).
    retry_of: int | None = Field(default=None, foreign_key="batches.id", index=True)
