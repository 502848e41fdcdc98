"""The brokers a deployment talks to, and the one way services call them: bounded, throttled, timed out.

Every call goes through `BrokerRegistry.call`, which holds a per-broker semaphore (so a batch of a thousand
clients never opens a thousand requests at once; reads of books have semaphores of their own, so copying one
row's fills never waits behind the rest of the batch's orders), waits for the account's own order-rate throttle when the
broker declares one, and turns a call that outlives the timeout, or an adapter that fails with anything but a
BrokerError, into BrokerUnavailable: no verdict.

A caller may give an `admit` check, asked once the call has its slot and its turn, just before the request leaves:
an order that waited behind others is looked at again then (a kill switch may have stopped it meanwhile), and
NotAdmitted ends the call with nothing sent.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from app.brokers.base import BrokerAdapter, BrokerError, BrokerUnavailable
from app.observability.metrics import BROKER_CALL_DURATION, BROKER_CALL_ERRORS

log = logging.getLogger(__name__)

T = TypeVar("T")


class NotAdmitted(Exception):
    """The caller's `admit` check said no: the request was never sent."""


class AccountThrottle:
    """Spaces one account's orders at least 1/rate seconds apart (brokers cap orders per second per account)."""

    def __init__(self, per_second: int) -> None:
        self._interval = 1.0 / per_second
        self._next_slot = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            delay = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


class BrokerRegistry:
    def __init__(self, adapters: Mapping[str, BrokerAdapter], *, concurrency: int, call_timeout_s: float) -> None:
        self._adapters = dict(adapters)
        self._semaphores = {name: asyncio.Semaphore(concurrency) for name in self._adapters}
        self._read_semaphores = {name: asyncio.Semaphore(concurrency) for name in self._adapters}
        self._throttles: dict[tuple[str, int], AccountThrottle] = {}
        # Looked up once: a page of a hundred clients' summaries is two hundred calls.
        self._durations = {name: BROKER_CALL_DURATION.labels(name) for name in self._adapters}
        self.call_timeout_s = call_timeout_s

    def adapter(self, broker: str) -> BrokerAdapter:
        try:
            return self._adapters[broker]
        except KeyError:
            raise BrokerUnavailable(f"broker {broker!r} is not configured on this server") from None

    def adapters(self) -> Mapping[str, BrokerAdapter]:
        return self._adapters

    async def call(
        self,
        broker: str,
        fn: Callable[[BrokerAdapter], Awaitable[T]],
        *,
        throttle_account: int | None = None,
        read: bool = False,
        admit: Callable[[], Awaitable[bool]] | None = None,
    ) -> T:
        """Run one broker request; `throttle_account` (a client id) applies the broker's per-account order rate;
        `read` marks a request that only reads books (order book, trade book, positions, funds); `admit`, if given,
        decides at the last moment whether the request is sent at all (NotAdmitted if not)."""
        adapter = self.adapter(broker)
        started = time.perf_counter()
        try:
            async with (self._read_semaphores if read else self._semaphores)[broker]:
                # Only order requests are throttled: a read never builds the adapter's capabilities.
                if throttle_account is not None and (rate := adapter.capabilities.orders_per_second):
                    throttle = self._throttles.setdefault((broker, throttle_account), AccountThrottle(rate))
                    await throttle.wait()
                if admit is not None and not await admit():
                    raise NotAdmitted()
                try:
                    async with asyncio.timeout(self.call_timeout_s):
                        return await fn(adapter)
                except TimeoutError:
                    BROKER_CALL_ERRORS.labels(broker, "timeout").inc()
                    raise BrokerUnavailable(f"{broker} did not answer within {self.call_timeout_s:g}s") from None
                except BrokerError as exc:
                    BROKER_CALL_ERRORS.labels(broker, type(exc).__name__).inc()
                    raise
                except Exception as exc:
                    # An adapter's own bug is still no answer from the broker: callers handle it as they handle a
                    # lost answer (a FAILED order to reconcile, a summary_error row) rather than as a 500.
                    BROKER_CALL_ERRORS.labels(broker, type(exc).__name__).inc()
                    log.exception("%s adapter failed unexpectedly", broker)
                    raise BrokerUnavailable(f"{broker} failed unexpectedly ({type(exc).__name__})") from exc
        finally:
            self._durations[broker].observe(time.perf_counter() - started)

    async def start(self) -> None:
        for adapter in self._adapters.values():
            await adapter.start()

    async def close(self) -> None:
        for adapter in self._adapters.values():
            await adapter.close()
