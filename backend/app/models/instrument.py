"""Instruments (tokens): the broker scrip codes an advisor can trade, loaded from data/tokens.csv at start-up and
imported from a broker's instrument master (`python -m app.cli instruments import`)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, String
from sqlmodel import Field, SQLModel

from app.brokers.base import InstrumentRef
from app.models.types import Money, UTCDateTime, utcnow


class Instrument(SQLModel, table=True):
    __tablename__ = "instruments"

    token_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    symbol: str = Field(sa_type=String(64), index=True)
    name: str | None = Field(default=None, sa_type=String(200))
    exchange: str = Field(sa_type=String(16))
    instrument_type: str = Field(sa_type=String(16))
    lot_size: int
    tick_size: Decimal = Field(sa_type=Money)
    # The largest quantity (units) the exchange takes in one order (a broker's master or data/tokens.csv); None = not
    # known. A larger order is sent as several legs (app/services/order_legs.py).
    freeze_quantity: int | None = None
    # The broker whose instrument master last set lot_size, tick_size and freeze_quantity (None: data/tokens.csv).
    # Start-up reloads of data/tokens.csv then leave those sizes alone, so an import is not undone by a restart.
    master_broker: str | None = Field(default=None, sa_type=String(16))
    # Where the simulator's price model starts; real brokers quote their own.
    ref_price: Decimal | None = Field(default=None, sa_type=Money)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def instrument_ref(instrument: Instrument) -> InstrumentRef:
    """The row as broker adapters and market-data ports take an instrument."""
    return InstrumentRef(
        token_id=instrument.token_id,
        symbol=instrument.symbol,
        exchange=instrument.exchange,
        instrument_type=instrument.instrument_type,
        lot_size=instrument.lot_size,
        tick_size=instrument.tick_size,
    )
