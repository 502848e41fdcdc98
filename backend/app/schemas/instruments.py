"""Instrument (token) bodies."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class InstrumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    token_id: int
    symbol: str
    name: str | None
    exchange: str
    instrument_type: str
    lot_size: int
    tick_size: Decimal
    # The exchange's largest quantity per order, when a broker's master said (app.cli instruments import).
    freeze_quantity: int | None = None
