"""The simulator's prices as market data: the same PriceModel the simulated broker fills orders at.

The only place outside app/brokers/simulator that knows the PriceModel. Watched instruments are registered with
it, which starts their price paths; its ticks are passed on for the watched ones.
"""

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from app.brokers.base import InstrumentRef, Quote
from app.brokers.simulator.prices import PriceModel
from app.market.port import QuoteListener

log = logging.getLogger(__name__)


class SimulatorMarketData:
    name = "simulator"

    def __init__(self, prices: PriceModel) -> None:
        self._prices = prices
        self._watched: dict[int, InstrumentRef] = {}
        self._listeners: list[QuoteListener] = []
        prices.add_tick_listener(self._on_ticks)

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument
            self._prices.register(instrument)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        # The instrument keeps ticking in the price model: the simulated broker may hold orders in it.
        for token_id in token_ids:
            self._watched.pop(token_id, None)

    def latest(self, token_id: int) -> Quote | None:
        try:
            return self._prices.quote(token_id)
        except KeyError:
            return None

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        for instrument in instruments:
            self._prices.register(instrument)
        return {i.token_id: self._prices.quote(i.token_id) for i in instruments}

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def start(self) -> None:
        """The broker ticks the price model; nothing of its own to run."""

    async def close(self) -> None:
        self._watched.clear()

    def _on_ticks(self, quotes: list[Quote]) -> None:
        watched = [quote for quote in quotes if quote.token_id in self._watched]
        if not watched:
            return
        for listener in self._listeners:
            try:
                listener(watched)
            except Exception:
                log.exception("quote listener %r failed", listener)
