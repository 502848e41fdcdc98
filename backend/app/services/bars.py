"""Candles for the API and the daily prune: stored minutes merged with the live ones, resampled; indicators.

Ranges: candles whose start lies in [from, to), `from` rounded down to the start of its bucket; without from/to,
the last DEFAULT_BARS buckets up to the running one. A range may span at most MAX_BARS buckets of its interval. A
candle is complete once its bucket has ended by the market clock; the running one is `complete: false`.

Retention: minutes older than MULTIDESK_BARS_RETENTION_DAYS are deleted once a day by the runner
(app/services/runner.py), and by one process at a time (the `job:prune_bars` lease; another process finding it taken
skips its turn, the delete being the same).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.db import release_connection, write_turn
from app.errors import InvalidRequest, NotFound
from app.market import bar_store, indicators
from app.market.bar_store import StoredBar
from app.market.candles import bar_payload, iso_utc
from app.market.resample import INTERVALS, bucket_start, resample
from app.models import Instrument
from app.services.leases import LeaseBusy, hold

log = logging.getLogger(__name__)

DEFAULT_BARS = 300
MAX_BARS = 10_000
MAX_PERIOD = 500
PRUNE_LEASE = "job:prune_bars"


@dataclass(frozen=True)
class BarRange:
    interval: str
    start: datetime
    end: datetime


def _moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {value!r} is not an ISO 8601 time.", code="INVALID_RANGE") from exc
    if moment.tzinfo is None:
        raise InvalidRequest(f"{name}: give the time with its zone (Z or +05:30).", code="INVALID_RANGE")
    return moment.astimezone(UTC)


def bar_range(interval: str, start: str | None, end: str | None, now: datetime, *, warmup: int = 0) -> BarRange:
    """The buckets asked for, checked (INVALID_INTERVAL, INVALID_RANGE); `warmup` buckets more are read before."""
    if interval not in INTERVALS:
        raise InvalidRequest(
            f"interval must be one of {', '.join(INTERVALS)}.", code="INVALID_INTERVAL", details={"interval": interval}
        )
    step = INTERVALS[interval]
    first, last = _moment("from", start), _moment("to", end)
    if last is None:
        last = bucket_start(now, interval) + step
    if first is None:
        first = last - DEFAULT_BARS * step
    if first >= last:
        raise InvalidRequest("from must be before to.", code="INVALID_RANGE")
    if (last - first) / step > MAX_BARS:
        raise InvalidRequest(
            f"A range may span at most {MAX_BARS} candles of {interval}.",
            code="INVALID_RANGE",
            details={"max": MAX_BARS},
        )
    return BarRange(interval, bucket_start(first, interval) - warmup * step, last)


async def _instrument_exists(session: AsyncSession, token_id: int) -> None:
    if await session.get(Instrument, token_id) is None:
        raise NotFound(f"No instrument with token id {token_id}.", code="UNKNOWN_TOKEN", details={"token_id": token_id})


async def _candles(ctx: AppContext, session: AsyncSession, token_id: int, wanted: BarRange) -> list[StoredBar]:
    stored = await bar_store.load(session, token_id, wanted.start, wanted.end)
    await release_connection(session)
    minutes = bar_store.merge(stored, ctx.candles.candles(token_id, wanted.start, wanted.end))
    return resample(minutes, wanted.interval)


async def bars(
    ctx: AppContext, session: AsyncSession, token_id: int, interval: str, start: str | None, end: str | None
) -> dict[str, Any]:
    now = ctx.market_now()
    wanted = bar_range(interval, start, end, now)
    await _instrument_exists(session, token_id)
    step = INTERVALS[interval]
    found = await _candles(ctx, session, token_id, wanted)
    return {
        "token_id": token_id,
        "interval": interval,
        "bars": [
            bar_payload(b.start, b.open, b.high, b.low, b.close, b.volume, complete=b.start + step <= now)
            for b in found
        ],
    }


async def indicator(
    ctx: AppContext,
    session: AsyncSession,
    token_id: int,
    interval: str,
    name: str,
    period: int,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    if name not in indicators.NAMES:
        raise InvalidRequest(
            f"name must be one of {', '.join(indicators.NAMES)}.", code="INVALID_INDICATOR", details={"name": name}
        )
    if not 1 <= period <= MAX_PERIOD:
        raise InvalidRequest(f"period must be between 1 and {MAX_PERIOD}.", code="INVALID_PERIOD")
    asked = bar_range(interval, start, end, ctx.market_now())
    # Candles before the range warm the indicator up, so its first points are not null for want of history.
    wanted = bar_range(interval, start, end, ctx.market_now(), warmup=3 * period)
    await _instrument_exists(session, token_id)
    found = await _candles(ctx, session, token_id, wanted)
    values: list[Decimal | None] = indicators.compute(name, found, period)
    return {
        "token_id": token_id,
        "interval": interval,
        "name": name,
        "period": None if name == "vwap" else period,
        "points": [
            {"start": iso_utc(b.start), "value": None if v is None else str(v)}
            for b, v in zip(found, values, strict=True)
            if b.start >= asked.start
        ],
    }


async def prune_once(ctx: AppContext) -> int | None:
    """Delete the minutes past retention; the rows deleted, or None when another process is pruning."""
    cutoff = ctx.market_now() - timedelta(days=ctx.settings.bars_retention_days)
    try:
        async with hold(
            ctx.sessions,
            PRUNE_LEASE,
            ttl_s=ctx.settings.lease_ttl_s,
            wait_s=0,
            busy=("PRUNE_RUNNING", "another process is pruning candles"),
        ):
            async with ctx.sessions() as session, write_turn(ctx.write_turns, session):
                deleted = await bar_store.prune(session, cutoff)
                await session.commit()
    except LeaseBusy:
        return None
    if deleted:
        log.info("pruned %d candles older than %s", deleted, cutoff.isoformat())
    return deleted
