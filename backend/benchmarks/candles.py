"""Tick-to-candle aggregation: 500 instruments at 10 ticks a second, as a share of one core.

Quotes are made up front (their making is the feed's cost, not the aggregator's), then delivered in one batch of
500 every 100 ms, paced by the wall clock, to a CandleAggregator as the feed delivers them; every second a
`bars` round takes the changes (as the realtime stream does) and every 5 s the changed candles are written to
the database (app/market/bar_store.py flush, one batch). The value is the process CPU time over the wall time of
the run, in percent of one core: the database driver's own thread included.
"""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.brokers.base import Quote
from app.db import make_engine, make_sessionmaker, make_write_turns, upgrade_head
from app.market import bar_store
from app.market.candles import CandleAggregator
from benchmarks.common import Row, db_url, reset_database, size

INSTRUMENTS = 500
TICKS_PER_S = 10
FLUSH_EVERY_S = 5


def _ticks(seconds: int, start: datetime) -> list[list[Quote]]:
    batches = []
    for step in range(seconds * TICKS_PER_S):
        ts = start + timedelta(seconds=step / TICKS_PER_S)
        batch = []
        for i in range(INSTRUMENTS):
            price = Decimal(1000 + i) + Decimal((step * 7 + i) % 40) / 20
            batch.append(Quote(900001 + i, price, price, price, price, price, step * 10 + i, ts))
        batches.append(batch)
    return batches


async def run_candles(db: str, data_dir: Path) -> list[Row]:
    seconds = size(20, 2)
    url = db_url(db, data_dir)
    await reset_database(url)
    await upgrade_head(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    turns = make_write_turns(10, 10)
    # Ten seconds before a minute ends: the run crosses a boundary, so candles close and new ones open.
    start = datetime.now(UTC).replace(second=50, microsecond=0)
    batches = _ticks(seconds, start)
    candles = CandleAggregator()
    everyone = frozenset(900001 + i for i in range(INSTRUMENTS))
    loop = asyncio.get_running_loop()
    cpu0, wall0 = time.process_time(), loop.time()
    written = 0
    for step, batch in enumerate(batches):
        await asyncio.sleep(max(0.0, wall0 + step / TICKS_PER_S - loop.time()))
        candles.on_quotes(batch)
        if step % TICKS_PER_S == TICKS_PER_S - 1:
            candles.take_updates(everyone)
        if step % (FLUSH_EVERY_S * TICKS_PER_S) == FLUSH_EVERY_S * TICKS_PER_S - 1:
            written += await bar_store.flush(candles, sessions, turns, batch[0].ts)
    written += await bar_store.flush(candles, sessions, turns, batches[-1][0].ts)
    cpu, wall = time.process_time() - cpu0, loop.time() - wall0
    await engine.dispose()
    assert written >= INSTRUMENTS, f"only {written} candles written"
    pct = 100 * cpu / wall
    return [
        Row(
            "candles_cpu_pct",
            db,
            pct,
            "% of a core",
            5.0,
            "lt",
            note=f"{INSTRUMENTS} instruments × {TICKS_PER_S} ticks/s for {seconds} s; {written} candle writes "
            f"(flush every {FLUSH_EVERY_S} s); CPU {cpu:.2f} s over {wall:.1f} s",
        )
    ]
