"""Quotes at chosen market times, for candle tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.brokers.base import Quote

# 04:00 UTC = 09:30 IST on a trading day.
DAY = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def at(minute: int, second: float = 0.0, *, base: datetime = DAY) -> datetime:
    """`minute` minutes and `second` seconds after `base`."""
    return base + timedelta(minutes=minute, seconds=second)


def quote(token_id: int, price: str, volume: int, ts: datetime) -> Quote:
    p = Decimal(price)
    return Quote(token_id=token_id, ltp=p, open=p, high=p, low=p, prev_close=p, volume=volume, ts=ts)
