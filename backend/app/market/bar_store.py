"""The price_bars table: batched upserts of candles (flushed every few seconds), reading one instrument's range,
pruning old minutes.

Writes merge with what is stored for the same minute rather than overwrite it: another process aggregating the
same instrument, or this one after a restart mid-minute, holds only part of the minute. The stored open is kept
(the earliest writer saw the minute first), high and low widen, close is the newest writer's, volume the larger.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, case, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.types import Float

from app.db import write_turn
from app.market.candles import Candle, CandleAggregator
from app.models import PriceBar

log = logging.getLogger(__name__)

# Rows per INSERT: 7 parameters each stays far below SQLite's and asyncpg's parameter limits.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredBar:
    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


def _pick(dialect: str, stored: ColumnElement, new: ColumnElement, larger: bool) -> ColumnElement:
    if dialect == "postgresql":
        return (func.greatest if larger else func.least)(stored, new)
    # SQLite keeps Money as text (exact); the comparison alone goes through REAL, the kept value stays the text.
    stored_n, new_n = cast(stored, Float), cast(new, Float)
    return case((new_n > stored_n if larger else new_n < stored_n, new), else_=stored)


async def upsert(session: AsyncSession, candles: Sequence[Candle]) -> None:
    """Write the candles (merged into stored minutes); the caller commits."""
    name = session.get_bind().dialect.name
    dialect = postgresql if name == "postgresql" else sqlite
    table = PriceBar.__table__
    for i in range(0, len(candles), CHUNK):
        rows = [
            {
                "token_id": c.token_id,
                "start": c.start,
                "open": c.open,
                "high": c.high,
                "low": c.low,
                "close": c.close,
                "volume": c.volume,
            }
            for c in candles[i : i + CHUNK]
        ]
        insert = dialect.insert(table)
        new = insert.excluded
        statement = insert.values(rows).on_conflict_do_update(
            index_elements=["token_id", "start"],
            set_={
                "high": _pick(name, table.c.high, new.high, larger=True),
                "low": _pick(name, table.c.low, new.low, larger=False),
                "close": new.close,
                "volume": case((new.volume > table.c.volume, new.volume), else_=table.c.volume),
            },
        )
        await session.execute(statement)


async def load(session: AsyncSession, token_id: int, start: datetime, end: datetime) -> list[StoredBar]:
    """The stored minutes of one instrument within [start, end), oldest first."""
    rows = await session.execute(
        select(PriceBar.start, PriceBar.open, PriceBar.high, PriceBar.low, PriceBar.close, PriceBar.volume)
        .where(PriceBar.token_id == token_id, PriceBar.start >= start, PriceBar.start < end)
        .order_by(PriceBar.start)
    )
    return [StoredBar(*row) for row in rows]


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete every minute older than `before`; the number of rows deleted. The caller commits."""
    result = await session.execute(delete(PriceBar).where(PriceBar.start < before))
    return int(result.rowcount or 0)


def merge(stored: Sequence[StoredBar], memory: Sequence[Candle]) -> list[StoredBar]:
    """Stored minutes overlaid with the in-memory ones (newer), merged as upsert merges them; oldest first."""
    by_start = {bar.start: bar for bar in stored}
    for c in memory:
        old = by_start.get(c.start)
        if old is None:
            by_start[c.start] = StoredBar(c.start, c.open, c.high, c.low, c.close, c.volume)
        else:
            by_start[c.start] = StoredBar(
                c.start, old.open, max(old.high, c.high), min(old.low, c.low), c.close, max(old.volume, c.volume)
            )
    return [by_start[start] for start in sorted(by_start)]


async def flush(
    candles: CandleAggregator,
    sessions: async_sessionmaker[AsyncSession],
    turns: asyncio.Semaphore,
    now: datetime,
) -> int:
    """Close the minutes ended by `now` and write every changed candle in one batch; the number written.

    The write waits for a write turn holding no connection (app/db.py write_turn). A failed write hands the candles
    back, so the next flush retries them (merged with whatever they became meanwhile).
    """
    candles.close_due(now)
    dirty = candles.take_dirty()
    if not dirty:
        return 0
    try:
        async with sessions() as session, write_turn(turns, session):
            await upsert(session, dirty)
            await session.commit()
    except BaseException:
        candles.give_back(dirty)
        raise
    return len(dirty)


async def flush_forever(
    candles: CandleAggregator,
    sessions: async_sessionmaker[AsyncSession],
    turns: asyncio.Semaphore,
    clock: Callable[[], datetime],
    interval_s: float,
) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await flush(candles, sessions, turns, clock())
        except Exception:
            log.exception("writing candles failed; the next flush retries them")
