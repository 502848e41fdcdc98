"""VenueEvents: what the venue does on its own (price ticks, fills of resting orders), pushed to every subscriber.

Subscribers are the backend processes, each reading GET /events as server-sent events. Each event is encoded once
and queued for every subscriber. Order events carry an id `<epoch>-<seq>` and the last ORDER_BACKLOG of them are
kept: a subscriber that reconnects with `Last-Event-ID` of this epoch gets the ones it missed, so a dropped
connection loses no fill. After a venue restart (a new epoch) that backlog is gone; reconciliation, which reads the
venue's order books, settles whatever the gap held. Quotes are not replayed: the next tick, or the snapshot of
every price sent on connect, supersedes them.

A subscriber that falls SUBSCRIBER_QUEUE events behind is cut off rather than buffered without bound; it
reconnects and catches up from the backlog.
"""

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable

from app.brokers.base import BrokerOrder, Quote
from app.brokers.simulator.venue_wire import QUOTES, OrderUpdate

logger = logging.getLogger(__name__)

ORDER_BACKLOG = 20_000  # about 15 MB of order events: a few thousand-client batches of fills
SUBSCRIBER_QUEUE = 10_000
HEARTBEAT_S = 5.0

_CUT_OFF = b""


class VenueEvents:
    def __init__(self, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.epoch = secrets.token_hex(4)
        self._seq = 0
        self._backlog: deque[tuple[int, bytes]] = deque(maxlen=ORDER_BACKLOG)
        self._subscribers: set[asyncio.Queue[bytes]] = set()
        self._heartbeat_s = heartbeat_s

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def order(self, client_id: int, order: BrokerOrder) -> None:
        """The simulated broker's order listener."""
        self._seq += 1
        data = OrderUpdate(client_id=client_id, order=order).model_dump_json()
        frame = f"id: {self.epoch}-{self._seq}\nevent: order\ndata: {data}\n\n".encode()
        self._backlog.append((self._seq, frame))
        self._send(frame)

    def quotes(self, quotes: list[Quote]) -> None:
        """The price model's tick listener."""
        self._send(quotes_frame(quotes))

    def _send(self, frame: bytes) -> None:
        for queue in list(self._subscribers):
            if queue.qsize() >= SUBSCRIBER_QUEUE:
                logger.warning("venue event subscriber %d events behind: cut off, it reconnects", queue.qsize())
                self._subscribers.discard(queue)
                queue.put_nowait(_CUT_OFF)
            else:
                queue.put_nowait(frame)

    async def stream(self, last_event_id: str | None, snapshot: Callable[[], list[Quote]]) -> AsyncIterator[bytes]:
        """One subscriber's frames: a hello, the orders it missed, every price now, then events as they happen."""
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            yield f'event: hello\ndata: {{"epoch": "{self.epoch}"}}\n\n'.encode()
            for frame in self._missed(last_event_id):
                yield frame
            yield quotes_frame(snapshot())
            while True:
                try:
                    frame = await asyncio.wait_for(queue.get(), self._heartbeat_s)
                except TimeoutError:
                    yield b": heartbeat\n\n"
                    continue
                if not frame:
                    return
                yield frame
        finally:
            self._subscribers.discard(queue)

    def _missed(self, last_event_id: str | None) -> list[bytes]:
        epoch, _, seq = (last_event_id or "").partition("-")
        if epoch != self.epoch or not seq.isdigit():
            return []
        after = int(seq)
        return [frame for number, frame in self._backlog if number > after]


def quotes_frame(quotes: list[Quote]) -> bytes:
    return b"event: quotes\ndata: " + QUOTES.dump_json(quotes) + b"\n\n"
