"""1-minute candles to the chart intervals (1m 5m 15m 1h 1d) with pandas, exactly: prices never pass through float.

Prices go into pandas as integer millionths (Money columns keep six decimals, so the conversion is exact) and come
back as Decimals. Buckets (a bucket's candle: first open, highest high, lowest low, last close, summed volume; a
bucket without any minute has no candle):
- 5m and 15m: aligned to the UTC clock, which is also the IST clock (IST is UTC+05:30).
- 1h: aligned to NSE's session start, 09:15 IST (03:45 UTC): 09:15-10:15, ..., 15:15-16:15 IST, as Indian brokers'
  hourly charts are.
- 1d: the IST trading day, starting at IST midnight (18:30 UTC the day before).
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from app.market.bar_store import StoredBar
from app.models.types import canonical_money

IST = ZoneInfo("Asia/Kolkata")
INTERVALS: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
}
_SESSION_OFFSET = pd.Timedelta(minutes=45)  # 09:15 IST is hh:45 UTC


def bucket_start(moment: datetime, interval: str) -> datetime:
    """The start of the bucket of `interval` that holds `moment` (UTC)."""
    return _buckets(pd.DatetimeIndex([pd.Timestamp(moment).tz_convert(UTC)]), interval)[0].to_pydatetime()


def _buckets(index: pd.DatetimeIndex, interval: str) -> pd.DatetimeIndex:
    if interval == "1m":
        return index.floor("min")
    if interval in ("5m", "15m"):
        return index.floor(f"{interval[:-1]}min")
    if interval == "1h":
        return (index - _SESSION_OFFSET).floor("h") + _SESSION_OFFSET
    if interval == "1d":
        return index.tz_convert(IST).floor("D").tz_convert(UTC)
    raise ValueError(f"unknown interval {interval!r}")


def _micros(value: Decimal) -> int:
    return int(value.scaleb(6))


def _decimal(micros: int) -> Decimal:
    return canonical_money(Decimal(micros).scaleb(-6))


def resample(bars: Sequence[StoredBar], interval: str) -> list[StoredBar]:
    """`bars` (1-minute, oldest first) as candles of `interval`, oldest first."""
    if interval == "1m" or not bars:
        return list(bars)
    frame = pd.DataFrame(
        {
            "open": [_micros(b.open) for b in bars],
            "high": [_micros(b.high) for b in bars],
            "low": [_micros(b.low) for b in bars],
            "close": [_micros(b.close) for b in bars],
            "volume": [b.volume for b in bars],
        },
        index=pd.DatetimeIndex([b.start for b in bars]).tz_convert(UTC),
        dtype="int64",
    )
    # groupby, not resample: empty buckets would turn the integer columns into floats.
    grouped = frame.groupby(_buckets(frame.index, interval), sort=True).agg(
        open=("open", "first"),
        high=("high", "max"),
        low=("low", "min"),
        close=("close", "last"),
        volume=("volume", "sum"),
    )
    return [
        StoredBar(start.to_pydatetime(), _decimal(o), _decimal(h), _decimal(lo), _decimal(c), int(v))
        for start, o, h, lo, c, v in grouped.itertuples(name=None)
    ]
