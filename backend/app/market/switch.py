"""MarketDataSwitch: the one market-data object the app holds (`ctx.market`), whatever the implementation.

Brokers (and with them the market data built on them) are rebuilt when their settings change, but the price
stream, the candle aggregator and the risk checks keep the object they were given at start-up. The switch forwards
to the current implementation, carries the listeners and the watched instruments over to the next one, and
ignores quotes from a replaced one.
"""

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from app.brokers.base import InstrumentRef, Quote
from app.market.port import MarketData, MarketDataUnavailable, QuoteListener

log = logging.getLogger(__name__)


class MarketDataSwitch:
    def __init__(self) -> None:
        self.current: MarketData | None = None
        self._listeners: list[QuoteListener] = []
        self._watched: dict[int, InstrumentRef] = {}

    @property
    def name(self) -> str:
        return self.current.name if self.current is not None else "none"

    def problem(self) -> str | None:
        """Why the current source cannot price now (a degraded source says so), or None."""
        if self.current is None:
            return "market data has not started"
        return getattr(self.current, "problem", None)

    async def use(self, market: MarketData) -> None:
        """Make `market` the source of prices: the previous one is closed, the watched instruments move over."""
        previous, self.current = self.current, market
        if previous is not None and previous is not market:
            await previous.close()
        market.add_listener(lambda quotes: self._forward(market, quotes))
        await market.start()
        if self._watched:
            await market.watch(list(self._watched.values()))

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument
        if self.current is not None:
            await self.current.watch(instruments)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        for token_id in token_ids:
            self._watched.pop(token_id, None)
        if self.current is not None:
            await self.current.unwatch(token_ids)

    def latest(self, token_id: int) -> Quote | None:
        return self.current.latest(token_id) if self.current is not None else None

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        if self.current is None:
            raise MarketDataUnavailable("market data has not started yet")
        return await self.current.quotes(instruments)

    def now(self) -> datetime:
        return self.current.now() if self.current is not None else datetime.now(UTC)

    async def start(self) -> None:
        """Nothing to do: `use` starts each implementation."""

    async def close(self) -> None:
        if self.current is not None:
            await self.current.close()

    def _forward(self, source: MarketData, quotes: Sequence[Quote]) -> None:
        if source is not self.current:
            return  # a replaced implementation: no longer the market
        for listener in self._listeners:
            # One failing consumer (the stream, the candles) must not starve the others of prices.
            try:
                listener(quotes)
            except Exception:
                log.exception("quote listener %r failed", listener)
