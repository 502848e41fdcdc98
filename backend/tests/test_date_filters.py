"""Date filters on the order book, fills and audit: a day is an Asia/Kolkata calendar day, included whole."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update

from app.api.filters import _bound
from app.context import AppContext
from app.errors import InvalidRequest
from app.models import Order
from tests.conftest import Actor, MakeClients, Simulator
from tests.test_order_lifecycle import place


def test_days_and_times_become_utc_bounds() -> None:
    assert _bound("date_from", "2026-11-23", end=False) == datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
    assert _bound("date_to", "2026-11-23", end=True) == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert _bound("date_from", "2026-11-23T10:00:00", end=False) == datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    assert _bound("date_from", "2026-11-23T10:00:00+00:00", end=False) == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert _bound("date_from", None, end=False) is None
    with pytest.raises(InvalidRequest):
        _bound("date_from", "23/11/2026", end=False)


async def test_order_book_by_ist_day(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(2885, "1400.00")
    late_evening = (await place(http, advisor, client_id=client.id, quantity=1)).json()["id"]
    next_morning = (await place(http, advisor, client_id=client.id, quantity=2)).json()["id"]
    async with ctx.sessions() as session:
        # 23 Nov 23:50 IST is still the 23rd in Kolkata, though 18:20 UTC; 24 Nov 00:10 IST is the 24th.
        await session.execute(
            update(Order).where(Order.id == late_evening).values(created_at=datetime(2026, 11, 23, 18, 20, tzinfo=UTC))
        )
        await session.execute(
            update(Order).where(Order.id == next_morning).values(created_at=datetime(2026, 11, 23, 18, 40, tzinfo=UTC))
        )
        await session.commit()

    async def ids(**params: str) -> list[int]:
        response = await http.get("/api/v1/orders", params=params, headers=advisor.headers)
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["items"]]

    assert await ids(date_from="2026-11-23", date_to="2026-11-23") == [late_evening]
    assert await ids(date_from="2026-11-24") == [next_morning]
    assert await ids(date_from="2026-11-23T23:55:00") == [next_morning]
    bad = await http.get("/api/v1/orders", params={"date_from": "yesterday"}, headers=advisor.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "INVALID_DATE"
    trades = await http.get("/api/v1/trades", params={"date_from": "2026-11-23"}, headers=advisor.headers)
    assert trades.status_code == 200


def test_a_day_or_time_past_the_calendar_s_ends_is_invalid_date() -> None:
    # 9999-12-31 included whole ends at 10000-01-01, which no datetime can hold: that was an OverflowError (a 422
    # INVALID_VALUE from the generic handler) where every other unusable date is INVALID_DATE.
    for name, value, end in (
        ("date_to", "9999-12-31", True),
        ("date_from", "0001-01-01", False),
        ("date_to", "9999-12-31T23:59:59-05:00", True),
        ("date_from", "0001-01-01T01:00:00", False),
    ):
        with pytest.raises(InvalidRequest) as refused:
            _bound(name, value, end=end)
        assert refused.value.code == "INVALID_DATE"
        assert name in refused.value.message
    assert _bound("date_to", "9999-12-30", end=True) == datetime(9999, 12, 30, 18, 30, tzinfo=UTC)


async def test_far_dates_on_the_api(http: httpx.AsyncClient, advisor: Actor) -> None:
    for path in ("/api/v1/orders", "/api/v1/trades"):
        far = await http.get(path, params={"date_to": "9999-12-31"}, headers=advisor.headers)
        assert far.status_code == 422 and far.json()["error"]["code"] == "INVALID_DATE", far.text
        # The last day that has an end is a valid, if distant, bound.
        latest = await http.get(
            path, params={"date_from": "2026-01-01", "date_to": "9999-12-30"}, headers=advisor.headers
        )
        assert latest.status_code == 200, latest.text
