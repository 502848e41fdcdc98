"""The trading day through the API: GET /market/status, MARKET_CLOSED before anything is written or sent, AMOs on
place and execute-all (written with amo true, OPEN, released at the open), the preview's warning, and the admin's
calendar overrides (audited, admin only, applied to the status at once)."""

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.enums import OrderStatus
from app.market.clock import IST, FixedClock
from app.models import AuditEvent, Order
from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order

RELIANCE = 2885
OVERRIDES = "/api/v1/market/calendar/overrides"


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


@pytest.fixture
async def clock(ctx: AppContext, sim: Simulator) -> AsyncIterator[FixedClock]:
    """The app on a settable clock, on Saturday 24 Jan 2026 (Monday 26 is Republic Day), the simulator following
    the calendar."""
    saved = ctx.clock
    fixed = FixedClock(ist("2026-01-24T11:00"))
    ctx.clock = fixed
    await sim.configure(sim_always_open=False)
    yield fixed
    ctx.clock = saved
    ctx.calendar.set_overrides([])


@pytest.fixture
def placed_at_broker(sim: Simulator, clock: FixedClock) -> list[object]:
    """Every order request that reached the simulator."""
    seen: list[object] = []
    real = sim.broker.place_order

    async def spy(*args: object, **kwargs: object) -> object:
        seen.append(args)
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    sim.broker.place_order = spy  # type: ignore[method-assign]
    return seen


async def order_count(ctx: AppContext) -> int:
    async with ctx.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Order)) or 0


async def test_status_says_weekend_then_holiday_then_open_with_the_next_open_and_close(
    http: httpx.AsyncClient, advisor: Actor, clock: FixedClock
) -> None:
    weekend = (await http.get("/api/v1/market/status", headers=advisor.headers)).json()
    assert (weekend["exchange"], weekend["phase"], weekend["holiday_name"]) == ("NSE", "weekend", None)
    assert datetime.fromisoformat(weekend["next_open"]) == ist("2026-01-27T09:15")
    assert weekend["simulator_always_open"] is False
    clock.set(ist("2026-01-26T10:00"))
    holiday = (await http.get("/api/v1/market/status?exchange=BSE", headers=advisor.headers)).json()
    assert (holiday["exchange"], holiday["phase"], holiday["holiday_name"]) == ("BSE", "holiday", "Republic Day")
    clock.set(ist("2026-01-27T15:29"))
    open_ = (await http.get("/api/v1/market/status", headers=advisor.headers)).json()
    assert open_["phase"] == "open" and datetime.fromisoformat(open_["next_close"]) == ist("2026-01-27T15:30")
    refused = await http.get("/api/v1/market/status?exchange=LSE", headers=advisor.headers)
    assert refused.status_code == 422


async def test_an_order_while_closed_is_refused_before_anything_is_written_or_sent(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    ctx: AppContext,
    placed_at_broker: list[object],
) -> None:
    [client] = await make_clients(advisor, 1)
    refused = await place_order(http, advisor.headers, client_id=client.id)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "MARKET_CLOSED" and "Tue 27 Jan 2026 09:15 IST" in error["message"]
    assert datetime.fromisoformat(error["details"]["next_open"]) == ist("2026-01-27T09:15")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": [{"client_id": client.id, "quantity": 2}],
    }
    batch = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert batch.status_code == 409 and batch.json()["error"]["code"] == "MARKET_CLOSED"
    assert await order_count(ctx) == 0 and placed_at_broker == []


async def test_an_amo_is_written_open_with_amo_true_and_filled_at_the_opening_price(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    ctx: AppContext,
    sim: Simulator,
    clock: FixedClock,
) -> None:
    first, second = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    placed = await place_order(http, advisor.headers, client_id=first.id, quantity=3, amo=True)
    assert placed.status_code == 201, placed.text
    assert (placed.json()["status"], placed.json()["amo"], placed.json()["filled_quantity"]) == ("OPEN", True, 0)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": [{"client_id": second.id, "quantity": 2}],
        "amo": True,
    }
    preview = await http.post("/api/v1/orders/preview", json=body, headers=advisor.headers)
    [warning] = [w for w in preview.json()["rows"][0]["warnings"] if w["code"] == "MARKET_CLOSED"]
    assert "after-market order" in warning["message"]
    batch = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert batch.status_code == 202, batch.text

    async def both_open() -> bool:
        async with ctx.sessions() as session:
            rows = list(await session.scalars(select(Order)))
        return len(rows) == 2 and all(r.status == OrderStatus.OPEN and r.amo for r in rows)

    await eventually(both_open)

    await sim.price(RELIANCE, "1412.50")  # where Tuesday opens
    clock.set(ist("2026-01-27T09:15"))
    sim.broker.advance_day()

    async def filled_at_the_open() -> bool:
        async with ctx.sessions() as session:
            rows = list(await session.scalars(select(Order)))
        return all(r.status == OrderStatus.FILLED and r.average_price == 1412.5 for r in rows)

    await eventually(filled_at_the_open)


async def test_calendar_overrides_are_admin_only_audited_and_change_the_status_at_once(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, ctx: AppContext, clock: FixedClock
) -> None:
    clock.set(ist("2026-12-02T10:00"))
    holiday = {"exchange": "NSE", "day": "2026-12-02", "name": "Exchange systems upgrade"}
    assert (await http.post(OVERRIDES, json=holiday, headers=advisor.headers)).status_code == 403
    added = await http.post(OVERRIDES, json=holiday, headers=admin.headers)
    assert added.status_code == 201, added.text
    assert added.json()["kind"] == "holiday"
    status = (await http.get("/api/v1/market/status", headers=advisor.headers)).json()
    assert (status["phase"], status["holiday_name"]) == ("holiday", "Exchange systems upgrade")
    again = await http.post(OVERRIDES, json=holiday, headers=admin.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CALENDAR_OVERRIDE_EXISTS"

    muhurat = {"exchange": "NSE", "day": "2026-11-08", "name": "Muhurat trading", "opens": "18:00", "closes": "19:00"}
    assert (await http.post(OVERRIDES, json=muhurat, headers=admin.headers)).status_code == 201
    half = {**muhurat, "day": "2026-11-15", "closes": None}
    assert (await http.post(OVERRIDES, json=half, headers=admin.headers)).status_code == 422
    listed = (await http.get(OVERRIDES, headers=advisor.headers)).json()
    assert [(o["day"], o["kind"]) for o in listed] == [("2026-11-08", "session"), ("2026-12-02", "holiday")]

    removed = await http.delete(f"{OVERRIDES}/{added.json()['id']}", headers=admin.headers)
    assert removed.status_code == 204
    assert (await http.get("/api/v1/market/status", headers=advisor.headers)).json()["phase"] == "open"
    async with ctx.sessions() as session:
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["calendar.override_add", "calendar.override_add", "calendar.override_remove"]


async def test_a_day_order_the_simulator_expires_at_rollover_is_cancelled_expired_in_our_book(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    ctx: AppContext,
    sim: Simulator,
    clock: FixedClock,
) -> None:
    [client] = await make_clients(advisor, 1)
    clock.set(ist("2026-01-23T11:00"))  # Friday
    await sim.price(RELIANCE, "1400.00")
    placed = await place_order(http, advisor.headers, client_id=client.id, order_type="LIMIT", price="1000.00")
    assert placed.status_code == 201 and placed.json()["status"] == "OPEN", placed.text
    clock.set(ist("2026-01-26T10:00"))  # Republic Day: not a new trading day
    sim.broker.advance_day()
    clock.set(ist("2026-01-27T00:01"))
    sim.broker.advance_day()

    async def expired() -> bool:
        async with ctx.sessions() as session:
            order = await session.get(Order, placed.json()["id"])
        assert order is not None
        return order.status == OrderStatus.CANCELLED and (order.reason or "").startswith("EXPIRED")

    await eventually(expired)
