"""Clients: one broker account each, owned by an advisor, with credentials kept encrypted."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.enums import BrokerName
from app.models.types import EnumText, Money, UTCDateTime, utcnow


class Client(SQLModel, table=True):
    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("broker", "broker_client_id", name="uq_clients_broker_account"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    display_name: str = Field(sa_type=String(200))
    broker: BrokerName = Field(sa_type=EnumText(BrokerName))
    broker_client_id: str = Field(sa_type=String(64))
    # One Fernet token holding the JSON of every credential field; never leaves the server.
    credentials_ciphertext: str | None = Field(default=None, sa_type=Text)
    # Fingerprint of the key that wrote the ciphertext, so rotation knows which rows are stale.
    credentials_key_id: str | None = Field(default=None, sa_type=String(16))
    # What a simulator account starts with; real brokers report their own cash.
    opening_cash: Decimal = Field(default=Decimal("0"), sa_type=Money)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
