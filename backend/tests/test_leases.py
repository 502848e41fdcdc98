"""Leases: one holder at a time per name across every process sharing the database, lapsed holders taken over, a
live holder kept by renewal; and the background job they guard (reconciliation) run by one process at a time."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert

from app.context import AppContext
from app.models import Lease
from app.models.types import utcnow
from app.services import leases as leases_module
from app.services import reconcile as reconcile_module
from app.services.leases import LeaseBusy, hold

BUSY = ("TEST_BUSY", "the lease is taken")


async def test_overlapping_holders_take_turns(ctx: AppContext) -> None:
    inside: list[str] = []
    timeline: list[tuple[str, str]] = []

    async def work(name: str) -> None:
        async with hold(ctx.sessions, "test:turns", ttl_s=5, wait_s=5, busy=BUSY):
            inside.append(name)
            timeline.append(("in", name))
            assert len(inside) == 1, f"{inside} hold the lease at once"
            await asyncio.sleep(0.05)
            inside.remove(name)
            timeline.append(("out", name))

    await asyncio.gather(*(work(f"holder-{i}") for i in range(4)))
    assert len(timeline) == 8
    assert all(timeline[i][1] == timeline[i + 1][1] for i in range(0, 8, 2))


async def test_a_busy_lease_answers_busy_once_the_wait_is_over(ctx: AppContext) -> None:
    async with hold(ctx.sessions, "test:busy", ttl_s=5, wait_s=1, busy=BUSY):
        with pytest.raises(LeaseBusy) as refused:
            await hold(ctx.sessions, "test:busy", ttl_s=5, wait_s=0.1, busy=BUSY).__aenter__()
    assert refused.value.code == "TEST_BUSY" and refused.value.status_code == 409
    # Given back at the end of the body: free again at once.
    async with hold(ctx.sessions, "test:busy", ttl_s=5, wait_s=0, busy=BUSY):
        pass


async def test_a_lease_whose_holder_died_is_taken_over_once_it_lapses(ctx: AppContext) -> None:
    async with ctx.sessions() as session:
        await session.execute(
            insert(Lease).values(
                name="test:dead", holder="a process that died", expires_at=utcnow() + timedelta(seconds=0.3)
            )
        )
        await session.commit()
    with pytest.raises(LeaseBusy):
        await hold(ctx.sessions, "test:dead", ttl_s=5, wait_s=0, busy=BUSY).__aenter__()
    async with hold(ctx.sessions, "test:dead", ttl_s=5, wait_s=2, busy=BUSY):
        pass


async def test_a_live_holder_keeps_its_lease_past_the_ttl_by_renewing_it(ctx: AppContext) -> None:
    async with hold(ctx.sessions, "test:renew", ttl_s=0.3, wait_s=0, busy=BUSY):
        await asyncio.sleep(1.0)
        with pytest.raises(LeaseBusy):
            await hold(ctx.sessions, "test:renew", ttl_s=0.3, wait_s=0, busy=BUSY).__aenter__()


async def test_a_cancelled_holder_gives_the_lease_back(ctx: AppContext) -> None:
    entered = asyncio.Event()

    async def holder() -> None:
        async with hold(ctx.sessions, "test:cancel", ttl_s=30, wait_s=0, busy=BUSY):
            entered.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(holder())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with hold(ctx.sessions, "test:cancel", ttl_s=30, wait_s=0, busy=BUSY):
        pass


async def test_two_reconciliation_passes_at_once_run_one(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = 0

    async def slow_pass(*_args: object, **_kwargs: object) -> reconcile_module.ReconcileReport:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.2)
        return reconcile_module.ReconcileReport()

    monkeypatch.setattr(reconcile_module, "reconcile", slow_pass)
    ages = {"pending_older_than": timedelta(0), "failed_older_than": timedelta(0)}
    results = await asyncio.gather(*(reconcile_module.reconcile_once(ctx, **ages) for _ in range(3)))
    assert runs == 1 and sum(r is None for r in results) == 2
    # Once it is over, the next pass runs.
    assert await reconcile_module.reconcile_once(ctx, **ages) is not None and runs == 2


async def test_a_holder_cancelled_while_it_gives_the_lease_back_stays_cancelled(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopping = asyncio.Event()

    async def renewal_that_takes_a_moment_to_stop(*_args: object) -> None:
        try:
            await asyncio.sleep(30)
        finally:
            stopping.set()
            await asyncio.sleep(0.2)

    monkeypatch.setattr(leases_module, "_renew_forever", renewal_that_takes_a_moment_to_stop)

    async def holder() -> None:
        async with hold(ctx.sessions, "test:exit", ttl_s=30, wait_s=0, busy=BUSY):
            await asyncio.sleep(0.05)  # the renewal has started
        await asyncio.sleep(30)  # where it would go on if the cancellation below were swallowed

    task = asyncio.create_task(holder())
    async with asyncio.timeout(5):
        await stopping.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await task
    async with hold(ctx.sessions, "test:exit", ttl_s=30, wait_s=0, busy=BUSY):
        pass
