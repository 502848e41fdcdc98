"""Market-data bodies."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from app.brokers.base import Quote


class QuoteOut(BaseModel):
    token_id: int
    ltp: Decimal
    change: Decimal
    change_pct: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    volume: int
    ts: datetime
    # Best bid and offer when the feed gives them (the simulator and Motilal do; a replay does not).
    bid: Decimal | None = None
    ask: Decimal | None = None

    @classmethod
    def from_quote(cls, quote: Quote) -> "QuoteOut":
        return cls(
            token_id=quote.token_id,
            ltp=quote.ltp,
            change=quote.change,
            change_pct=quote.change_pct,
            open=quote.open,
            high=quote.high,
            low=quote.low,
            prev_close=quote.prev_close,
            volume=quote.volume,
            ts=quote.ts,
            bid=quote.bid,
            ask=quote.ask,
        )


class BarOut(BaseModel):
    start: str
    open: str
    high: str
    low: str
    close: str
    volume: int
    complete: bool


class BarsOut(BaseModel):
    token_id: int
    interval: str
    bars: list[BarOut]


class IndicatorPoint(BaseModel):
    start: str
    value: str | None


class IndicatorOut(BaseModel):
    token_id: int
    interval: str
    name: str
    period: int | None
    points: list[IndicatorPoint]
