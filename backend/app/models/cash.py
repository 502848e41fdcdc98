"""Cash transfers: a deposit or withdrawal an advisor asked for, written before the broker is asked.

The broker's cash ledger is the record of money (the simulator's, see app/brokers/simulator/book.py); this row is
our record of the request and its outcome, and its id is the reference the broker dedupes on, so a transfer whose
answer was lost is never paid twice.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.types import Money, UTCDateTime, utcnow


class CashTransfer(SQLModel, table=True):
    __tablename__ = "cash_transfers"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="clients.id", index=True)
    kind: str = Field(sa_type=String(16))  # "deposit" | "withdraw"
    amount: Decimal = Field(sa_type=Money)  # positive; the kind gives the direction
    note: str = Field(default="", sa_type=String(200))
    # PENDING (written, broker not yet answered) -> DONE | REFUSED (the broker's verdict) | FAILED (no answer)
    status: str = Field(default="PENDING", sa_type=String(16))
    reason: str | None = Field(default=None, sa_type=Text)
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def ref(self) -> str:
        return f"cash-{self.id}"
