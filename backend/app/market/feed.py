"""The price feed: quotes for the instruments someone is looking at, as they change, coalesced for browsers.

`QuoteFeed` is the source (the simulator's PriceModel here; a broker's streaming feed can implement the same
protocol). `PriceStream` sits between a feed and the sockets: it keeps only the latest quote per subscribed
instrument and emits them once per interval, so a burst of ticks costs a browser one `price_update` per
instrument per interval, never an unbounded queue.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from functools import partial
from typing import Any, Protocol

from app.brokers.base import InstrumentRef, Quote
from app.brokers.simulator.prices import PriceModel
from app.observability.metrics import PRICE_UPDATES_EMITTED

log = logging.getLogger(__name__)

QuoteListener = Callable[[Sequence[Quote]], None]


class QuoteFeed(Protocol):
    """Quotes for watched instruments as they change, pushed to every listener (synchronously, on the loop)."""

    def add_listener(self, listener: QuoteListener) -> None: ...

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        """Start streaming these instruments (watching one already watched is a no-op)."""

    async def unwatch(self, token_ids: Collection[int]) -> None: ...

    def latest(self, token_id: int) -> Quote | None:
        """The last quote known for the instrument, if any."""


class SimulatorFeed:
    """The simulator's prices: the same PriceModel the simulated broker fills orders at.

    The simulator is rebuilt when its settings change (and on restart), so `attach` follows the newest price
    model; watched instruments are registered with it, which starts their price paths.
    """

    def __init__(self) -> None:
        self._prices: PriceModel | None = None
        self._watched: dict[int, InstrumentRef] = {}
        self._listeners: list[QuoteListener] = []

    def attach(self, prices: PriceModel) -> None:
        self._prices = prices
        for instrument in self._watched.values():
            prices.register(instrument)
        prices.add_tick_listener(partial(self._on_ticks, prices))

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument
            if self._prices is not None:
                self._prices.register(instrument)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        # The instrument keeps ticking in the price model: the simulated broker may hold orders in it.
        for token_id in token_ids:
            self._watched.pop(token_id, None)

    def latest(self, token_id: int) -> Quote | None:
        if self._prices is None:
            return None
        try:
            return self._prices.quote(token_id)
        except KeyError:
            return None

    def _on_ticks(self, source: PriceModel, quotes: list[Quote]) -> None:
        if source is not self._prices:
            return  # a replaced simulator's model: no longer the market
        watched = [quote for quote in quotes if quote.token_id in self._watched]
        if not watched:
            return
        for listener in self._listeners:
            try:
                listener(watched)
            except Exception:
                log.exception("quote listener %r failed", listener)


def price_payload(quote: Quote) -> dict[str, Any]:
    """The `price_update` body: decimals as strings, the time in ISO 8601."""
    return {
        "token_id": quote.token_id,
        "ltp": str(quote.ltp),
        "change": str(quote.change),
        "change_pct": str(quote.change_pct),
        "volume": quote.volume,
        "ts": quote.ts.isoformat(),
    }


PriceEmit = Callable[[Quote], Awaitable[None]]


class PriceStream:
    """Latest quote per subscribed instrument, flushed every `interval_s` in one task (latest wins).

    `add`/`remove` count subscribers per instrument, so the feed watches an instrument while anyone here
    wants it and stops when the last one leaves.
    """

    def __init__(self, feed: QuoteFeed, emit: PriceEmit, interval_s: float) -> None:
        self.interval_s = interval_s
        self._feed = feed
        self._emit = emit
        self._subscribers: dict[int, int] = {}
        self._pending: dict[int, Quote] = {}
        feed.add_listener(self._on_quotes)

    @property
    def subscribed(self) -> frozenset[int]:
        return frozenset(self._subscribers)

    def latest(self, token_id: int) -> Quote | None:
        return self._feed.latest(token_id)

    async def add(self, instruments: Collection[InstrumentRef]) -> None:
        new = []
        for instrument in instruments:
            count = self._subscribers.get(instrument.token_id, 0)
            self._subscribers[instrument.token_id] = count + 1
            if count == 0:
                new.append(instrument)
        if new:
            await self._feed.watch(new)

    async def remove(self, token_ids: Collection[int]) -> None:
        gone = []
        for token_id in token_ids:
            count = self._subscribers.get(token_id, 0) - 1
            if count > 0:
                self._subscribers[token_id] = count
            elif token_id in self._subscribers:
                del self._subscribers[token_id]
                self._pending.pop(token_id, None)
                gone.append(token_id)
        if gone:
            await self._feed.unwatch(gone)

    def _on_quotes(self, quotes: Sequence[Quote]) -> None:
        for quote in quotes:
            if quote.token_id in self._subscribers:
                self._pending[quote.token_id] = quote

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for quote in pending.values():
            try:
                await self._emit(quote)
                PRICE_UPDATES_EMITTED.inc()
            except Exception:
                log.exception("price_update for %s failed", quote.token_id)

    async def run(self) -> None:
        # Flushes keep to a fixed schedule: sleeping a whole interval after each flush would stretch the period
        # by the flush's own time, which under load is most of the interval.
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self.interval_s
            await asyncio.sleep(max(0.0, due - loop.time()))
            # A flush that overran by more than an interval is not followed by a burst of catch-up flushes.
            due = max(due, loop.time() - self.interval_s)
            await self.flush()
