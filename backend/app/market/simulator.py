"""The simulator's prices as market data: the same prices the simulated broker fills orders at.

With the in-process simulator that is its PriceModel (the only place outside app/brokers/simulator that knows it,
wrapped as LocalPrices); with the shared venue (MULTIDESK_SIMULATOR_URL) it is the venue adapter's VenuePrices, a
copy of the venue's prices kept current by its event stream. Watched instruments are registered with the source,
which starts their price paths; its ticks are passed on for the watched ones.
"""

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol

from app.brokers.base import BrokerUnavailable, InstrumentRef, Quote
from app.brokers.simulator.prices import PriceModel
from app.market.port import MarketDataUnavailable, QuoteListener

log = logging.getLogger(__name__)


class SimulatedPrices(Protocol):
    @property
    def problem(self) -> str | None: ...

    def add_tick_listener(self, listener: Callable[[list[Quote]], None]) -> None: ...

    def latest(self, token_id: int) -> Quote | None: ...

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        """Quotes now, registering (starting a price path for) any instrument new to the source."""


class LocalPrices:
    """The in-process simulator's PriceModel as SimulatedPrices."""

    problem: str | None = None  # in this process: never away

    def __init__(self, prices: PriceModel) -> None:
        self._prices = prices

    def add_tick_listener(self, listener: Callable[[list[Quote]], None]) -> None:
        self._prices.add_tick_listener(listener)

    def latest(self, token_id: int) -> Quote | None:
        try:
            return self._prices.quote(token_id)
        except KeyError:
            return None

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        for instrument in instruments:
            self._prices.register(instrument)
        return {i.token_id: self._prices.quote(i.token_id) for i in instruments}


class SimulatorMarketData:
    name = "simulator"

    def __init__(self, prices: SimulatedPrices) -> None:
        self._prices = prices
        self._watched: dict[int, InstrumentRef] = {}
        self._listeners: list[QuoteListener] = []
        prices.add_tick_listener(self._on_ticks)

    @property
    def problem(self) -> str | None:
        """Why prices may be stale now (/health/ready reports it as degraded), or None."""
        return self._prices.problem

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    async def watch(self, instruments: Collection[InstrumentRef]) -> None:
        for instrument in instruments:
            self._watched[instrument.token_id] = instrument
        try:
            await self._prices.quotes(list(instruments))
        except BrokerUnavailable as exc:
            # The shared venue is away; it is told about these instruments again when its stream reconnects.
            log.warning("simulator venue did not take %d watched instruments: %s", len(instruments), exc)

    async def unwatch(self, token_ids: Collection[int]) -> None:
        # The instrument keeps ticking in the price model: the simulated broker may hold orders in it.
        for token_id in token_ids:
            self._watched.pop(token_id, None)

    def latest(self, token_id: int) -> Quote | None:
        return self._prices.latest(token_id)

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        try:
            return await self._prices.quotes(instruments)
        except MarketDataUnavailable:
            raise
        except BrokerUnavailable as exc:
            raise MarketDataUnavailable(f"the simulator venue did not answer: {exc}") from exc

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
