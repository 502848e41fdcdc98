"""Pre-trade risk limits (a firm-wide default row and per-client rows) and trading halts (the kill switch)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from app.models.types import Money, UTCDateTime, utcnow

FIRM_SCOPE = "firm"


def client_scope(client_id: int) -> str:
    return f"client:{client_id}"


class RiskLimit(SQLModel, table=True):
    """One row per scope: "firm" (the defaults) or "client:<id>". A NULL column means no limit of that kind
    at this scope; a client's NULL falls back to the firm default."""

    __tablename__ = "risk_limits"

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(sa_type=String(40), unique=True)
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    max_order_quantity: int | None = None
    max_order_value: Decimal | None = Field(default=None, sa_type=Money)
    price_band_pct: Decimal | None = Field(default=None, sa_type=Money)
    max_gross_exposure: Decimal | None = Field(default=None, sa_type=Money)
    max_daily_loss: Decimal | None = Field(default=None, sa_type=Money)
    allowed_token_ids: list[Any] | None = Field(default=None, sa_type=JSON)
    denied_token_ids: list[Any] | None = Field(default=None, sa_type=JSON)
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TradingHalt(SQLModel, table=True):
    """A kill switch: active while resumed_at is NULL. scope "firm" stops everyone, "advisor" one advisor's book."""

    __tablename__ = "trading_halts"

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(sa_type=String(16))
    advisor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    reason: str = Field(sa_type=String(500))
    halted_by: int = Field(foreign_key="users.id")
    halted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resumed_by: int | None = Field(default=None, foreign_key="users.id")
    resumed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
