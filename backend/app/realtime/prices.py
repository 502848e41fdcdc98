"""Socket.IO `prices {ts, quotes: [...]}`: one frame per socket per flush, holding the quotes that socket wants.

`PriceStream` (app/market/feed.py) hands over the instruments that changed since the last flush. Each socket of
this process then gets one frame with only the instruments it subscribes to among those (and any it is still owed,
below); a socket with none of them gets nothing. Sockets with the same subscriptions get the same frame, so a frame
is built and JSON-encoded once per distinct subscription set and queued on each socket as is (app/realtime/fanout.py):
the cost of a flush grows with the distinct sets and the sockets, not with sockets x instruments. Frames go to this
process's sockets directly, never through the Redis manager: every process has the same market data.

A slow browser never builds an unbounded queue: a socket whose outgoing queue already holds MAX_QUEUED packets is
skipped for this flush and owes the instruments that changed; its next frame carries their latest quotes (latest
wins), so nothing it subscribes to is silently lost, only coalesced further.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from app.brokers.base import Quote
from app.market.feed import quote_item
from app.observability.metrics import PRICE_FRAMES_DEFERRED, PRICE_FRAMES_SENT, PRICE_QUOTES_SENT
from app.realtime import events
from app.realtime.fanout import LocalSockets, encode_event
from app.realtime.protocol import SocketState

# Packets (frames, events, pings) waiting in a socket's outgoing queue beyond which its price frame waits a flush.
MAX_QUEUED = 8


class PriceFrames:
    """Sends each flush's changed quotes to this process's sockets, one frame per socket (see the module doc)."""

    def __init__(
        self, sockets: LocalSockets, latest: Callable[[int], Quote | None], max_queued: int = MAX_QUEUED
    ) -> None:
        # `latest(token_id)`: the market data's last quote, for instruments a skipped socket is owed.
        self._sockets = sockets
        self._latest = latest
        self.max_queued = max_queued
        self._owing = False

    async def send(self, changed: Mapping[int, Quote]) -> None:
        """One flush: `changed` holds the latest quote of each subscribed instrument that changed since the last."""
        if not changed and not self._owing:
            return
        self._owing = False
        items: dict[int, dict[str, Any]] = {}
        groups: dict[frozenset[int], list[Any]] = defaultdict(list)
        owing: list[tuple[SocketState, Any]] = []
        for state, conn in self._sockets.subscribed():
            if conn.queue.qsize() >= self.max_queued:
                state.owed_quotes.update(t for t in changed if t in state.token_ids)
                self._owing = self._owing or bool(state.owed_quotes)
                PRICE_FRAMES_DEFERRED.inc()
            elif state.owed_quotes:
                owing.append((state, conn))
            else:
                groups[frozenset(state.token_ids)].append(conn)
        for key, conns in groups.items():
            wanted = [t for t in changed if t in key] if len(changed) <= len(key) else [t for t in key if t in changed]
            if wanted:
                await self._send(conns, [changed[t] for t in wanted], items)
        for state, conn in owing:
            wanted_ids = (state.owed_quotes | changed.keys()) & state.token_ids
            state.owed_quotes.clear()
            quotes = [q for t in wanted_ids if (q := changed.get(t) or self._latest(t)) is not None]
            if quotes:
                await self._send([conn], quotes, items)

    async def _send(self, conns: list[Any], quotes: list[Quote], items: dict[int, dict[str, Any]]) -> None:
        """One frame to these engine.io sockets (same subscriptions), encoded once."""
        # Within a flush an instrument always resolves to the same quote, so its item is built once for all frames.
        payload = []
        for quote in quotes:
            item = items.get(quote.token_id)
            if item is None:
                item = items[quote.token_id] = quote_item(quote)
            payload.append(item)
        # The newest tick in the frame: market time (a replay's clock), which the desk's latest-wins check compares.
        ts = max(q.ts for q in quotes)
        sent = await self._sockets.send(conns, encode_event(events.PRICES, {"ts": ts.isoformat(), "quotes": payload}))
        PRICE_FRAMES_SENT.inc(sent)
        PRICE_QUOTES_SENT.inc(sent * len(quotes))
