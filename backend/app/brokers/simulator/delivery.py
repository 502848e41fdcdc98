"""Pushing order updates to the order listener: in order per client, concurrently across clients.

Each client's updates are chained (PARTIALLY_FILLED arrives before FILLED even when the listener awaits), while
different clients are delivered at the same time. A listener that raises is logged and does not stop the chain.
"""

import asyncio
import logging

from app.brokers.base import BrokerOrder, OrderListener

logger = logging.getLogger(__name__)


class OrderDeliveries:
    def __init__(self) -> None:
        self.listener: OrderListener | None = None
        # The latest delivery task per client; each waits for the one before it.
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def publish(self, client_id: int, orders: list[BrokerOrder]) -> None:
        listener = self.listener
        if listener is None:
            return
        previous = self._tasks.get(client_id)
        task = asyncio.get_running_loop().create_task(_deliver(listener, previous, client_id, orders))
        self._tasks[client_id] = task
        task.add_done_callback(lambda done: self._delivered(client_id, done))

    async def drain(self) -> None:
        """Wait until every update published so far has been delivered."""
        await asyncio.gather(*self._tasks.values())

    def _delivered(self, client_id: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(client_id) is task:
            del self._tasks[client_id]


async def _deliver(
    listener: OrderListener, previous: asyncio.Task[None] | None, client_id: int, orders: list[BrokerOrder]
) -> None:
    if previous is not None:
        await asyncio.wait([previous])
    for order in orders:
        try:
            await listener(client_id, order)
        except Exception:
            logger.exception("order listener failed for client %s order %s", client_id, order.broker_order_id)
