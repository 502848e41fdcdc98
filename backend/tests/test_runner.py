"""The runner (app/services/runner.py) in one process: of several competing runners only the lease holder runs the
jobs, a stopped holder hands over, and a holder whose lease was taken (it stalled past the TTL) stops its jobs.
Two real processes, and a SIGKILL, are in tests/test_runner_processes.py."""

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import update

from app.context import AppContext
from app.models import Lease
from app.models.types import utcnow
from app.services.runner import Job, Runner
from tests.live_server import poll

LEASE = "test:runner"
TTL_S = 1.0


@contextlib.asynccontextmanager
async def running(*runners: Runner) -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks = [asyncio.create_task(runner.run_forever()) for runner in runners]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def counting_runner(ctx: AppContext, runs: Counter[str], name: str) -> Runner:
    async def tick() -> None:
        runs[name] += 1

    return Runner(ctx.sessions, [Job("tick", 0.05, tick, at_start=True)], ttl_s=TTL_S, lease=LEASE)


async def test_only_the_lease_holder_runs_the_jobs_and_a_stopped_one_hands_over(ctx: AppContext) -> None:
    runs: Counter[str] = Counter()
    runners = {name: counting_runner(ctx, runs, name) for name in ("a", "b", "c")}
    async with running(*runners.values()) as tasks:
        await poll(lambda: _true(sum(runs.values()) >= 5), within=5, failure=lambda: f"no runner ran: {runs}")
        assert len(runs) == 1, f"several runners ran the job: {runs}"
        (leader,) = runs
        # A clean stop gives the lease back: another runner takes over at its next ask, without waiting for a lapse.
        tasks[list(runners).index(leader)].cancel()
        before = runs.copy()
        await poll(
            lambda: _true(len(runs) == 2), within=TTL_S, failure=lambda: f"nobody took over from {leader}: {runs}"
        )
        assert runs[leader] == before[leader]
        assert len(runs) == 2


async def test_a_runner_whose_lease_was_taken_stops_its_jobs(ctx: AppContext) -> None:
    runs: Counter[str] = Counter()
    async with running(counting_runner(ctx, runs, "stalled")):
        await poll(lambda: _true(runs["stalled"] > 0), within=5, failure=lambda: "the runner never ran")
        # As if it had stalled past its TTL and another process had taken the lapsed lease.
        async with ctx.sessions() as session:
            await session.execute(
                update(Lease)
                .where(Lease.name == LEASE)
                .values(holder="another process", expires_at=utcnow() + timedelta(seconds=60))
            )
            await session.commit()
        await asyncio.sleep(TTL_S / 3 + 0.2)
        stopped_at = runs["stalled"]
        await asyncio.sleep(0.5)
        assert runs["stalled"] == stopped_at, "the runner went on running jobs after its lease was taken"


async def test_a_failing_job_runs_again_at_its_next_turn_and_its_neighbours_go_on(ctx: AppContext) -> None:
    runs: Counter[str] = Counter()

    async def broken() -> None:
        runs["broken"] += 1
        raise RuntimeError("a job that fails every time")

    async def fine() -> None:
        runs["fine"] += 1

    jobs = [Job("broken", 0.05, broken, at_start=True), Job("fine", 0.05, fine, at_start=True)]
    async with running(Runner(ctx.sessions, jobs, ttl_s=TTL_S, lease=LEASE)):
        await poll(lambda: _true(runs["broken"] >= 3 and runs["fine"] >= 3), within=5, failure=lambda: f"runs: {runs}")


async def _true(value: bool) -> bool:
    return value
