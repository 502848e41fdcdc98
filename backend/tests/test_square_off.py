"""The advisor's scheduled square-off: set through the API, it closes every INTRADAY position (never DELIVERY) at
the advisor's time on a trading day, as exit batches the advisor can watch, once per day: a second pass, a restart
in the middle of a run, or another runner never sends a second set of orders."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.market.clock import FixedClock
from app.models import Order, SquareOffSchedule
from app.services.square_off import run_due
from tests.conftest import Actor, MakeClients, Simulator
from tests.test_execute_all import RELIANCE, wait_batch
from tests.test_exits import buy_for

IST = ZoneInfo("Asia/Kolkata")
URL = "/api/v1/square-off/schedule"


@pytest.fixture
def clock(ctx: AppContext) -> Iterator[FixedClock]:
    # Tuesday 1 December 2026, a trading day on NSE.
    fixed = FixedClock(datetime(2026, 12, 1, 14, 55, tzinfo=IST))
    before = ctx.clock
    ctx.clock = fixed
    yield fixed
    ctx.clock = before


async def positions(http: httpx.AsyncClient, actor: Actor, client_id: int) -> dict[str, int]:
    portfolio = (await http.get(f"/api/v1/clients/{client_id}/portfolio", headers=actor.headers)).json()
    return {p["trade_type"]: p["net_quantity"] for p in portfolio["positions"]}


async def order_count(ctx: AppContext) -> int:
    async with ctx.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def test_the_schedule_is_validated_and_kept_per_advisor(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, viewer: Actor, clock: FixedClock
) -> None:
    assert (await http.get(URL, headers=advisor.headers)).json()["enabled"] is False
    for bad in ({"enabled": True, "time": "15:30"}, {"enabled": True, "time": "9:20"}, {"enabled": True}):
        assert (await http.put(URL, json=bad, headers=advisor.headers)).status_code == 422, bad
    saved = await http.put(URL, json={"enabled": True, "time": "15:05"}, headers=advisor.headers)
    assert saved.status_code == 200
    next_run = datetime.fromisoformat(saved.json()["next_run_at"].replace("Z", "+00:00"))
    assert next_run == datetime(2026, 12, 1, 15, 5, tzinfo=IST)
    assert (await http.get(URL, headers=other_advisor.headers)).json()["enabled"] is False
    assert (await http.put(URL, json={"enabled": True, "time": "15:05"}, headers=viewer.headers)).status_code == 403


async def test_it_squares_off_intraday_only_at_its_time_once_per_day_even_across_a_restart(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext,
    clock: FixedClock,
) -> None:  # fmt: skip
    a, b = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, [a, b], [10, 20], "INTRADAY")
    await buy_for(http, advisor, [a], [5], "DELIVERY")
    await http.put(URL, json={"enabled": True, "time": "15:00"}, headers=advisor.headers)

    assert await run_due(ctx) == []  # 14:55: not yet
    clock.set(datetime(2026, 12, 1, 15, 1, tzinfo=IST))
    assert await run_due(ctx) == [advisor.id]
    schedule = (await http.get(URL, headers=advisor.headers)).json()
    assert schedule["last_run_on"] == "2026-12-01"
    [batch_id] = schedule["last_batch_ids"]
    batch = await wait_batch(http, advisor, batch_id)
    assert batch["kind"] == "EXIT_BY_TOKEN"
    assert sorted((r["client_id"], r["status"], r["quantity"]) for r in batch["rows"] if r.get("quantity")) == [
        (a.id, "FILLED", 10),
        (b.id, "FILLED", 20),
    ]
    assert await positions(http, advisor, a.id) == {"INTRADAY": 0, "DELIVERY": 5}
    assert await positions(http, advisor, b.id) == {"INTRADAY": 0}

    sent = await order_count(ctx)
    assert await run_due(ctx) == []  # the same day again: nothing
    # A run that died before marking its day done runs again and finds the batches it made: no second orders.
    async with ctx.sessions() as session:
        row = await session.get(SquareOffSchedule, advisor.id)
        assert row is not None
        row.last_run_on = None
        await session.commit()
    # Even a position opened since: the day's batch for the instrument exists, so the rerun sends nothing new.
    await buy_for(http, advisor, [b], [3], "INTRADAY")
    sent += 1
    assert await run_due(ctx) == [advisor.id]
    assert (await http.get(URL, headers=advisor.headers)).json()["last_batch_ids"] == [batch_id]
    assert await order_count(ctx) == sent


async def test_it_does_not_run_outside_the_session_and_runs_again_the_next_trading_day(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext,
    clock: FixedClock,
) -> None:  # fmt: skip
    [a] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await http.put(URL, json={"enabled": True, "time": "15:00"}, headers=advisor.headers)
    clock.set(datetime(2026, 12, 1, 15, 45, tzinfo=IST))  # after the close: missed, the broker squares off
    assert await run_due(ctx) == []
    clock.set(datetime(2026, 12, 5, 15, 10, tzinfo=IST))  # a Saturday
    assert await run_due(ctx) == []
    clock.set(datetime(2026, 12, 7, 15, 10, tzinfo=IST))  # Monday
    await buy_for(http, advisor, [a], [4], "INTRADAY")
    assert await run_due(ctx) == [advisor.id]
    schedule = (await http.get(URL, headers=advisor.headers)).json()
    assert schedule["last_run_on"] == "2026-12-07"
    await wait_batch(http, advisor, schedule["last_batch_ids"][0])
    assert await positions(http, advisor, a.id) == {"INTRADAY": 0}
    clock.advance(timedelta(days=1))
    assert await run_due(ctx) == [advisor.id]  # Tuesday: a new day, nothing left to close
    assert (await http.get(URL, headers=advisor.headers)).json()["last_batch_ids"] == []
