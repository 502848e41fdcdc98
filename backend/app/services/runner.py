"""The runner: the one process, among every worker and replica on the database, that runs the periodic jobs.

Reconciliation passes and the daily candle prune must not run twice at once, nor twice per period because two
processes keep their own schedule. Every process competes for the `runner` lease; the one holding it runs every
job on its schedule and renews the lease every third of its TTL, the others ask again at that pace. A runner that
dies (SIGKILL, a lost node) stops renewing, so its lease lapses and another process takes over within the TTL
and a third; one that stops cleanly gives it back, and another takes over at its next ask.

A runner that cannot renew (database unreachable, an event loop stalled) stops its jobs before its lease could
lapse, and one whose lease was taken after all (it stalled past the TTL) stops at once: no two
processes run the jobs at the same time, as long as the hosts' clocks agree to well within a third of the TTL.
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.observability.metrics import BACKGROUND_JOB_RUNS, RUNNER
from app.services.leases import give_back, renew, take

log = logging.getLogger(__name__)

RUNNER_LEASE = "runner"
# Stopping: how long a job's run under way may take to finish its pass (a pass cut short mid-transaction can leave
# SQLite's write lock behind for a while), and how long giving the lease back may take before it is left to lapse.
STOP_GRACE_S = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    name: str
    interval_s: float
    run: Callable[[], Awaitable[object]]
    # First run as soon as this process becomes the runner (a job that may be overdue), else one interval later.
    at_start: bool = False


class Runner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jobs: Sequence[Job],
        *,
        ttl_s: float,
        lease: str = RUNNER_LEASE,
    ) -> None:
        self._sessions = sessions
        self._lease = lease
        self._jobs = list(jobs)
        self._ttl_s = ttl_s
        self._holder = secrets.token_hex(16)
        self._stopping = False
        self._running: set[asyncio.Task[None]] = set()

    async def run_forever(self) -> None:
        while True:
            asked = time.monotonic()
            try:
                taken = await self._within_a_third(take(self._sessions, self._lease, self._holder, self._ttl_s))
            except Exception:
                log.warning("could not ask for the runner lease; asking again", exc_info=True)
                taken = False
            if taken:
                await self._lead(valid_until=asked + self._ttl_s)
            await asyncio.sleep(self._ttl_s / 3)

    async def _within_a_third(self, step: Awaitable[T]) -> T:
        # A lease step stuck on the database must not outlast the lease it is about.
        async with asyncio.timeout(self._ttl_s / 3):
            return await step

    async def _lead(self, valid_until: float) -> None:
        log.info("this process is the runner: %s", ", ".join(job.name for job in self._jobs))
        RUNNER.set(1)
        jobs = [asyncio.create_task(self._every(job), name=f"job-{job.name}") for job in self._jobs]
        # A process stopping lets a run under way finish; one that lost (or may lose) the lease stops at once.
        grace = STOP_GRACE_S
        try:
            while True:
                await asyncio.sleep(self._ttl_s / 3)
                asked = time.monotonic()
                try:
                    kept = await self._within_a_third(renew(self._sessions, self._lease, self._holder, self._ttl_s))
                except Exception:
                    # The next attempt (a pause, then at most a third of a TTL) must still end before the lapse.
                    if time.monotonic() + 2 * self._ttl_s / 3 < valid_until:
                        log.warning("could not renew the runner lease; trying again", exc_info=True)
                        continue
                    log.error("could not renew the runner lease in time: background jobs stop here", exc_info=True)
                    grace = 0
                    return
                if not kept:
                    log.error("the runner lease lapsed and was taken (this process stalled): background jobs stop here")
                    grace = 0
                    return
                valid_until = asked + self._ttl_s
        finally:
            await self._stop(jobs, grace)
            RUNNER.set(0)
            # Given back at once when this process stops, so another takes over without waiting for it to lapse.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STOP_GRACE_S):
                    await asyncio.shield(give_back(self._sessions, self._lease, self._holder))

    async def _stop(self, jobs: list[asyncio.Task[None]], grace: float) -> None:
        """Waiting jobs stop at once; a run under way may finish its pass first, within `grace` seconds."""
        self._stopping = True
        for task in jobs:
            if task not in self._running or not grace:
                task.cancel()
        await asyncio.wait(jobs, timeout=grace or None)
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        self._stopping = False

    async def _every(self, job: Job) -> None:
        if not job.at_start:
            await asyncio.sleep(job.interval_s)
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            self._running.add(task)
            try:
                await job.run()
            except Exception:
                BACKGROUND_JOB_RUNS.labels(job.name, "error").inc()
                log.exception("background job %s failed; it runs again in %s s", job.name, job.interval_s)
            else:
                BACKGROUND_JOB_RUNS.labels(job.name, "ok").inc()
                log.debug("background job %s ran", job.name)
            finally:
                self._running.discard(task)
            if not self._stopping:
                await asyncio.sleep(job.interval_s)
