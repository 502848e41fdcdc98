"""The market-data port: where every price in MultiDesk comes from, as brokers are where orders go.

`MarketData` is what the quotes endpoint, Socket.IO `prices` frames, risk checks and portfolio P&L ask for prices.
Implementations live beside it (simulator.py, motilal.py; replay.py) and are chosen by `MULTIDESK_MARKET_DATA` in
select.py. The app holds one `MarketDataSwitch` (switch.py) as `ctx.market`, which follows the implementation
across broker restarts.
"""

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from app.brokers.base import BrokerUnavailable, InstrumentRef, Quote

QuoteListener = Callable[[Sequence[Quote]], None]


class MarketDataUnavailable(BrokerUnavailable):
    """The market data source cannot give prices now (e.g. its designated account is missing or refused)."""

    code = "MARKET_DATA_UNAVAILABLE"


class MarketData(Protocol):
    name: str  # "simulator" | "motilal" | "replay"

    def add_listener(self, listener: QuoteListener) -> None:
        """Quotes for watched instruments as they change, pushed synchronously on the event loop."""

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        """Start streaming these instruments (watching one already watched is a no-op)."""

    async def unwatch(self, token_ids: Collection[int]) -> None: ...

    def latest(self, token_id: int) -> Quote | None:
        """The last quote known for the instrument, if any (no request is made)."""

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        """Fresh quotes now; instruments without a price are left out. May raise BrokerUnavailable."""

    def now(self) -> datetime:
        """The market clock (UTC, tz-aware): the wall clock, or the replayed time."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...
