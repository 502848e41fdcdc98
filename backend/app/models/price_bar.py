"""1-minute OHLCV candles per instrument (app/market/candles.py builds them from quotes; pruned after
MULTIDESK_BARS_RETENTION_DAYS). The primary key (token_id, start) is the index for "one token, a time range"; the
index on start alone serves the daily prune."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.models.types import Money, UTCDateTime


class PriceBar(SQLModel, table=True):
    __tablename__ = "price_bars"

    token_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    # The minute the candle covers, [start, start + 1 min), UTC and minute-aligned, by the quotes' market clock.
    start: datetime = Field(primary_key=True, sa_type=UTCDateTime, index=True)
    open: Decimal = Field(sa_type=Money)
    high: Decimal = Field(sa_type=Money)
    low: Decimal = Field(sa_type=Money)
    close: Decimal = Field(sa_type=Money)
    # Units traded in the minute: the rise of the quotes' cumulative day volume within it.
    volume: int = Field(sa_type=BigInteger)
