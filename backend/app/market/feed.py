"""The price stream: quotes for the instruments someone is looking at, as they change, coalesced for browsers.

The source is the market-data port (app/market/port.py, `ctx.market`). `PriceStream` sits between it and the
sockets: it keeps only the latest quote per subscribed instrument and hands over those that changed once per
interval, so a burst of ticks costs a browser at most one `prices` frame per interval (app/realtime/prices.py),
never an unbounded queue.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

from app.brokers.base import InstrumentRef, Quote
from app.market.port import MarketData

log = logging.getLogger(__name__)


def quote_item(quote: Quote) -> dict[str, Any]:
    """One instrument in a `prices` frame: decimals as strings; bid/ask null when the feed has no book (a replay),
    sent on every tick so the ticket's touch never lags the last price."""
    return {
        "token_id": quote.token_id,
        "ltp": str(quote.ltp),
        "change": str(quote.change),
        "change_pct": str(quote.change_pct),
        "volume": quote.volume,
        "bid": None if quote.bid is None else str(quote.bid),
        "ask": None if quote.ask is None else str(quote.ask),
    }


def price_payload(quote: Quote) -> dict[str, Any]:
    """One quote with its time (the subscribe ack's `quotes`): a frame's item plus the time in ISO 8601."""
    return {**quote_item(quote), "ts": quote.ts.isoformat()}


# Called once per flush with the latest quote of each subscribed instrument that changed since the last (maybe none).
PriceEmit = Callable[[Mapping[int, Quote]], Awaitable[None]]


class PriceStream:
    """Latest quote per subscribed instrument, flushed every `interval_s` in one task (latest wins).

    `add`/`remove` count subscribers per instrument, so the feed watches an instrument while anyone here
    wants it and stops when the last one leaves.
    """

    def __init__(self, feed: MarketData, emit: PriceEmit, interval_s: float) -> None:
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
            # Every subscriber may have left while the source started watching: stop what nobody wants now.
            dropped = [i.token_id for i in new if i.token_id not in self._subscribers]
            if dropped:
                await self._feed.unwatch(dropped)

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
        # Called even when nothing changed: a socket skipped earlier may still be owed quotes.
        pending, self._pending = self._pending, {}
        try:
            await self._emit(pending)
        except Exception:
            log.exception("price flush of %d instruments failed", len(pending))

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
