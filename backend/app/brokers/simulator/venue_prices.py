"""VenuePrices: this process's copy of the shared venue's prices, kept current by its event stream.

The simulator market data (app/market/simulator.py) reads it as it reads the in-process PriceModel: the latest
quote of an instrument without a request, ticks as they arrive, fresh quotes on demand. Every instrument it was
asked about is remembered and announced again whenever the stream reconnects, so a restarted venue ticks the
instruments this process watches even if its journal never saw them traded.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence

from app.brokers.base import InstrumentRef, Quote

logger = logging.getLogger(__name__)

TickListener = Callable[[list[Quote]], None]
Register = Callable[[Sequence[InstrumentRef]], Awaitable[list[Quote]]]


class VenuePrices:
    def __init__(self, register: Register, live: Callable[[], bool]) -> None:
        """`register` asks the venue for quotes (registering the instruments); `live` says the stream is up."""
        self._register = register
        self._live = live
        self._instruments: dict[int, InstrumentRef] = {}
        self._quotes: dict[int, Quote] = {}
        self._listeners: list[TickListener] = []

    def add_tick_listener(self, listener: TickListener) -> None:
        self._listeners.append(listener)

    @property
    def problem(self) -> str | None:
        """Why these prices may be stale (the venue's stream is down), or None."""
        return None if self._live() else "the simulator venue's event stream is not connected"

    def latest(self, token_id: int) -> Quote | None:
        return self._quotes.get(token_id)

    async def quotes(self, instruments: Sequence[InstrumentRef]) -> dict[int, Quote]:
        """Quotes now: while the stream is up, every tick of a known instrument is here already, so they are
        answered from the copy; otherwise from the venue (which starts a price path for any instrument new to it)."""
        for instrument in instruments:
            self._instruments[instrument.token_id] = instrument
        if not instruments:
            return {}
        if self._live() and all(instrument.token_id in self._quotes for instrument in instruments):
            return {instrument.token_id: self._quotes[instrument.token_id] for instrument in instruments}
        got = await self._register(instruments)
        self._keep(got)
        return {quote.token_id: quote for quote in got}

    async def reregister(self) -> None:
        if self._instruments:
            self._keep(await self._register(list(self._instruments.values())))

    def apply(self, quotes: list[Quote]) -> None:
        """A tick from the venue."""
        self._keep(quotes)
        for listener in self._listeners:
            # One failing consumer must not starve the others of prices.
            try:
                listener(quotes)
            except Exception:
                logger.exception("tick listener %r failed", listener)

    def _keep(self, quotes: Sequence[Quote]) -> None:
        for quote in quotes:
            # A reply that overtook a newer tick must not roll the price back.
            known = self._quotes.get(quote.token_id)
            if known is None or quote.ts >= known.ts:
                self._quotes[quote.token_id] = quote
