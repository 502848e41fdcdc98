"""A split order through the Motilal adapter (on the fake broker): each leg's tag fits Motilal's ten characters,
Motilal's fills (read from its trade book, not given with the answer) are copied to the one row, and the note the
adapter adds to every leg (MARKET sent as a protected LIMIT) is shown on the row."""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.context import AppContext
from app.models import Instrument
from tests.conftest import Actor, wait_for_trades
from tests.motilal.conftest import PLAIN_USER, MotilalApp
from tests.test_execute_all import RELIANCE


@pytest.fixture
async def freeze_of_four(ctx: AppContext) -> AsyncIterator[None]:
    async def put(quantity: int | None) -> None:
        async with ctx.sessions() as session:
            instrument = await session.get(Instrument, RELIANCE)
            assert instrument is not None
            instrument.freeze_quantity = quantity
            await session.commit()

    await put(4)
    yield
    await put(None)


async def test_a_split_order_at_motilal_is_one_row_with_its_fills(
    http: httpx.AsyncClient, advisor: Actor, motilal: MotilalApp, freeze_of_four: None
) -> None:
    client = await motilal.client(advisor, PLAIN_USER)
    motilal.fake.set_ltp(RELIANCE, "1400.00")
    body = {
        "client_id": client.id,
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "quantity": 10,
    }
    response = await http.post("/api/v1/orders/place", json=body, headers=advisor.headers)
    assert response.status_code == 201, response.text
    row = response.json()
    assert (row["status"], row["filled_quantity"]) == ("FILLED", 10)
    assert [(leg["quantity"], leg["status"]) for leg in row["legs"]] == [(4, "FILLED"), (4, "FILLED"), (2, "FILLED")]
    assert row["broker_note"] is not None and "LIMIT" in row["broker_note"]

    placed = [r.body for r in motilal.fake.requests_to("placeorder")]
    assert sorted(int(p["quantityinlot"]) for p in placed) == [2, 4, 4]
    tags = {p["tag"] for p in placed}
    assert len(tags) == 3 and all(tag.startswith("ML") and len(tag) <= 10 for tag in tags)
    trades = await wait_for_trades(http, advisor, 3)
    assert {t["order_id"] for t in trades} == {row["id"]} and sum(t["quantity"] for t in trades) == 10
