"""Waking requests that wait for a batch (GET /batches/{id}?wait=true) when its rows change, without a held session.

A waiter holds no database connection while it waits: it reads the batch in a short session, then sleeps on an
in-process event. The order writer announces every committed row change of a batch on the event bus
(`batch_progress`), which sets that batch's event, so a batch run by this process wakes its waiters at once.
A change this process never announces (a batch run by another process, rows settled by a halt or by
reconciliation elsewhere) is still seen: a waiter re-reads the batch at least every `RECHECK_S` whatever happens.
"""

import asyncio
import weakref
from typing import Any

from app.realtime import events
from app.realtime.events import EventBus

# The slowest a waiter notices a change no event announced (another process's work); each re-read is one short
# session, so a few waiters on a long batch cost a few small reads per second.
RECHECK_S = 0.5


class BatchWaits:
    def __init__(self, bus: EventBus) -> None:
        # One event per batch someone waits on; it goes away with its last waiter.
        self._events: weakref.WeakValueDictionary[int, asyncio.Event] = weakref.WeakValueDictionary()
        bus.subscribe(self._on_event)

    def watch(self, batch_id: int) -> asyncio.Event:
        """Take this before reading the batch: a change committed after the read sets it, so none is missed."""
        found = self._events.get(batch_id)
        if found is None:
            found = self._events[batch_id] = asyncio.Event()
        return found

    async def wait(self, changed: asyncio.Event, timeout_s: float) -> None:
        """Until the batch changes, or `min(timeout_s, RECHECK_S)` passes."""
        try:
            async with asyncio.timeout(min(timeout_s, RECHECK_S)):
                await changed.wait()
        except TimeoutError:
            pass

    async def _on_event(self, event: str, _room: str, payload: dict[str, Any]) -> None:
        if event != events.BATCH_PROGRESS:
            return
        # Popped as it is set: the next read takes a fresh event for the next change.
        changed = self._events.pop(payload["batch_id"], None)
        if changed is not None:
            changed.set()
