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
