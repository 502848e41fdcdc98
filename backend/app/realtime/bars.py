"""Socket.IO `bar_update {token_id, interval: "1m", bar}`: the live 1-minute candle of each subscribed instrument.

Once per interval (a second) each candle that changed goes to its token's room, and a minute the market clock has
ended goes once more, complete. Candles are per process, like prices: the sockets of this process hear the
candles this process built.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import socketio

from app.market.candles import CandleAggregator
from app.observability.metrics import BAR_UPDATES_EMITTED
from app.realtime import events

log = logging.getLogger(__name__)

# bar_update reaches a subscriber at most this often per instrument (plus the close of each minute).
BAR_INTERVAL_S = 1.0


class BarStream:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        candles: Callable[[], CandleAggregator],
        subscribed: Callable[[], frozenset[int]],
        market_now: Callable[[], datetime],
        interval_s: float = BAR_INTERVAL_S,
    ) -> None:
        # Callables, not values: tests and restarts replace the context's aggregator, subscriptions change.
        self.interval_s = interval_s
        self._sio = sio
        self._candles = candles
        self._subscribed = subscribed
        self._market_now = market_now

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.emit()
            except Exception:
                log.exception("bar_update round failed")

    async def emit(self) -> None:
        """One round: minutes the market clock has ended close first, then what changed."""
        candles = self._candles()
        candles.close_due(self._market_now())
        for candle, complete in candles.take_updates(self._subscribed()):
            payload = {"token_id": candle.token_id, "interval": "1m", "bar": candle.payload(complete)}
            await self._sio.emit(events.BAR_UPDATE, payload, to=events.token_room(candle.token_id), ignore_queue=True)
            BAR_UPDATES_EMITTED.inc()
