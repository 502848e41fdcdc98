"""Fault injection for place/modify/cancel: network latency with jitter, simulated rejects and lost answers.

The draws come from their own seeded RNG, so a seed replays the same faults without disturbing price paths.
"""

import random
from collections.abc import Awaitable, Callable
from enum import Enum, auto

from app.brokers.simulator.settings import SimulatorSettings


class Fault(Enum):
    REJECT = auto()
    TIMEOUT = auto()


class FaultInjector:
    def __init__(
        self, settings: SimulatorSettings, rng: random.Random, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._settings = settings
        self._rng = rng
        self._sleep = sleep

    async def delay(self) -> None:
        jitter = self._settings.latency_jitter_ms
        delay_ms = self._settings.latency_ms + (self._rng.uniform(-jitter, jitter) if jitter else 0.0)
        # Always yield, even at zero latency: a broker call is I/O, and callers must not rely on it being instant.
        await self._sleep(max(delay_ms, 0.0) / 1000)

    def draw(self) -> Fault | None:
        # Both numbers are drawn every time so changing one rate does not reshuffle the other's sequence.
        reject, timeout = self._rng.random(), self._rng.random()
        if reject < self._settings.reject_rate:
            return Fault.REJECT
        if timeout < self._settings.timeout_rate:
            return Fault.TIMEOUT
        return None
