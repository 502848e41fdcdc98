"""Socket.IO `bars {bars: [{token_id, interval: "1m", bar}, ...]}`: the live 1-minute candles of a socket's instruments.

Once per interval (a second) each socket of this process gets one frame with the candles of its subscribed
instruments that changed, a minute the market clock has ended once more, complete (before the next minute's live
candle of the same instrument). Like `prices`, a frame is built and encoded once per distinct subscription set and
queued on each local socket directly (app/realtime/fanout.py): one frame per socket per second, not one event per
instrument per socket. Candles are per process, like prices: the sockets of this process hear the candles this
process built.
"""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.market.candles import CandleAggregator
from app.observability.metrics import BAR_UPDATES_EMITTED
from app.realtime import events
from app.realtime.fanout import LocalSockets, encode_event

log = logging.getLogger(__name__)

# A socket hears about each of its instruments' candles at most this often (plus the close of each minute).
BAR_INTERVAL_S = 1.0


class BarStream:
    def __init__(
        self,
        sockets: LocalSockets,
        candles: Callable[[], CandleAggregator],
        subscribed: Callable[[], frozenset[int]],
        market_now: Callable[[], datetime],
        interval_s: float = BAR_INTERVAL_S,
    ) -> None:
        # Callables, not values: tests and restarts replace the context's aggregator, subscriptions change.
        self.interval_s = interval_s
        self._sockets = sockets
        self._candles = candles
        self._subscribed = subscribed
        self._market_now = market_now

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.emit()
            except Exception:
                log.exception("bars round failed")

    async def emit(self) -> None:
        """One round: minutes the market clock has ended close first, then what changed."""
        candles = self._candles()
        candles.close_due(self._market_now())
        updates = candles.take_updates(self._subscribed())
        if not updates:
            return
        items: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for candle, complete in updates:
            item = {"token_id": candle.token_id, "interval": "1m", "bar": candle.payload(complete)}
            items[candle.token_id].append(item)
        groups: dict[frozenset[int], list[Any]] = defaultdict(list)
        for state, conn in self._sockets.subscribed():
            groups[frozenset(state.token_ids)].append(conn)
        for key, conns in groups.items():
            bars = [bar for token_id in key if token_id in items for bar in items[token_id]]
            if bars:
                sent = await self._sockets.send(conns, encode_event(events.BARS, {"bars": bars}))
                BAR_UPDATES_EMITTED.inc(sent * len(bars))
