"""Execute-all sized by a group or a client list: each method, lot rounding, zero results, multipliers, prices."""

from decimal import Decimal

import httpx
import pytest

from app.context import AppContext
from app.models import Client
from tests.conftest import RELIANCE, Actor, MakeClients, SetLot, Simulator
from tests.test_execute_all import execute_all, wait_batch


async def send(http: httpx.AsyncClient, actor: Actor, body: dict, key: str | None = None) -> httpx.Response:
    """Execute-all, waiting for the batch to finish so no order of this test is still being sent after it."""
    response = await execute_all(http, actor, body, key)
    if response.status_code == 202:
        await wait_batch(http, actor, response.json()["batch_id"])
    return response


async def make_group(http: httpx.AsyncClient, actor: Actor, pairs: list[tuple[int, str]]) -> int:
    members = [{"client_id": client_id, "multiplier": m} for client_id, m in pairs]
    response = await http.post("/api/v1/groups", json={"name": "Model", "members": members}, headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def sized_body(allocation: dict, **extra: object) -> dict:
    body = {"token_id": RELIANCE, "execution": "BUY", "order_type": "MARKET", "trade_type": "DELIVERY"}
    return {**body, "allocation": allocation, **extra}


async def test_fixed_with_multipliers_rounds_down_to_the_lot_and_skips_a_zero(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, set_lot: SetLot
) -> None:
    big, small, tiny = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    await set_lot(5)
    group = await make_group(http, advisor, [(big.id, "2.5"), (small.id, "1"), (tiny.id, "0.3")])
    response = await send(http, advisor, sized_body({"method": "fixed", "quantity": 10}, group_id=group))
    assert response.status_code == 202, response.text
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    rows = {row["client_id"]: row for row in batch["rows"]}
    assert (rows[big.id]["quantity"], rows[big.id]["status"]) == (25, "FILLED")
    assert (rows[small.id]["quantity"], rows[small.id]["status"]) == (10, "FILLED")
    assert rows[tiny.id]["status"] == "SKIPPED" and rows[tiny.id]["order_id"] is None
    assert rows[tiny.id]["reason"].startswith("ROUNDS_TO_ZERO: 10 x 0.30 gives 3.0000 shares, below one lot of 5")
    assert rows[big.id]["sizing"] == {
        "method": "fixed",
        "price": "1400.00",
        "price_source": "market",
        "multiplier": "2.50",
        "inputs": {"quantity": "10"},
        "raw_quantity": "25.0000",
        "quantity": 25,
    }


async def test_equal_split_and_ratio(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    a, b, c = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    ids = [a.id, b.id, c.id]
    split = await execute_all(
        http, advisor, sized_body({"method": "equal_split", "total_quantity": 10}, client_ids=ids)
    )
    assert split.status_code == 202, split.text
    assert [(r["client_id"], r["quantity"]) for r in split.json()["rows"]] == [(a.id, 4), (b.id, 3), (c.id, 3)]
    group = await make_group(http, advisor, [(a.id, "1"), (b.id, "2"), (c.id, "3")])
    ratio = await send(http, advisor, sized_body({"method": "ratio", "total_quantity": 10}, group_id=group))
    assert {r["client_id"]: r["quantity"] for r in ratio.json()["rows"]} == {a.id: 1, b.id: 3, c.id: 5}
    assert {r["client_id"]: r["sizing"]["inputs"]["sum_of_multipliers"] for r in ratio.json()["rows"]} == {
        a.id: "6.00",
        b.id: "6.00",
        c.id: "6.00",
    }


async def test_amount_sizes_by_the_limit_price_not_the_market_price(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    limit = sized_body(
        {"method": "amount", "amount": "10000"}, client_ids=[client.id], order_type="LIMIT", price="1000.00"
    )
    response = await send(http, advisor, limit)
    [row] = response.json()["rows"]
    assert row["quantity"] == 10
    assert (row["sizing"]["price"], row["sizing"]["price_source"]) == ("1000.00", "limit")
    market = await execute_all(
        http, advisor, sized_body({"method": "amount", "amount": "10000"}, client_ids=[client.id])
    )
    [row] = market.json()["rows"]
    assert row["quantity"] == 7  # 10,000 / 1,400 = 7.14
    assert (row["sizing"]["price"], row["sizing"]["price_source"]) == ("1400.00", "market")


async def test_pct_equity_and_available_margin_size_from_each_clients_books(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [rich] = await make_clients(advisor, 1, cash=Decimal("1000000"))
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    body = sized_body({"method": "pct_equity", "percent": "10"}, client_ids=[rich.id, poor.id])
    response = await send(http, advisor, body)
    rows = {r["client_id"]: r for r in response.json()["rows"]}
    assert rows[rich.id]["quantity"] == 71  # 10% of 1,000,000 / 1,400 = 71.43
    assert rows[rich.id]["sizing"]["inputs"] == {"percent": "10", "equity": "1000000.00"}
    assert rows[poor.id]["status"] == "SKIPPED" and "ROUNDS_TO_ZERO" in rows[poor.id]["reason"]
    await wait_batch(http, advisor, response.json()["batch_id"])
    # Intraday leverage 5 (the simulator's): 50% of what the rich client has left x 5 / 1,400.
    margin = sized_body({"method": "available_margin", "percent": "50"}, client_ids=[rich.id], trade_type="INTRADAY")
    [row] = (await send(http, advisor, margin)).json()["rows"]
    # Less the buy's charges (DELIVERY, 99,400 on NSE): brokerage 20, STT 99.40, exchange 2.95, SEBI 0.10,
    # stamp 14.91, GST 4.15 = 141.51.
    available = Decimal("1000000") - 71 * Decimal("1400") - Decimal("141.51")
    assert row["sizing"]["inputs"] == {"percent": "50", "available_margin": f"{available:.2f}", "leverage": "5"}
    assert row["quantity"] == int(available / 2 * 5 / 1400)


async def test_inactive_members_are_skipped_and_do_not_share_a_split(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    a, b = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    group = await make_group(http, advisor, [(a.id, "1"), (b.id, "1")])
    async with ctx.sessions() as session:
        client = await session.get(Client, b.id)
        assert client is not None
        client.is_active = False
        await session.commit()
    response = await execute_all(
        http, advisor, sized_body({"method": "equal_split", "total_quantity": 10}, group_id=group)
    )
    rows = {r["client_id"]: r for r in response.json()["rows"]}
    assert rows[a.id]["quantity"] == 10
    assert rows[b.id]["status"] == "SKIPPED" and rows[b.id]["reason"].startswith("CLIENT_INACTIVE:")


async def test_no_market_price_for_a_priced_method_is_a_422(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    [client] = await make_clients(advisor, 1)

    async def no_quotes(instruments: object) -> dict:
        return {}

    monkeypatch.setattr(ctx.market, "quotes", no_quotes)
    response = await execute_all(
        http, advisor, sized_body({"method": "amount", "amount": "5000"}, client_ids=[client.id])
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "NO_PRICE_FOR_SIZING"
    assert response.json()["error"]["details"]["field"] == "allocation.method"
    # A method that needs no price still works without one.
    fixed = await send(http, advisor, sized_body({"method": "fixed", "quantity": 2}, client_ids=[client.id]))
    assert fixed.status_code == 202 and fixed.json()["rows"][0]["sizing"]["price"] is None


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"allocations": [{"client_id": 1, "quantity": 1}], "client_ids": [1]}, "ALLOCATION_CONFLICT", None),
        (
            {"group_id": 1, "client_ids": [1], "allocation": {"method": "fixed", "quantity": 1}},
            "ALLOCATION_CONFLICT",
            None,
        ),
        ({}, "ALLOCATION_INPUT", "group_id"),
        ({"client_ids": [1]}, "ALLOCATION_INPUT", "allocation"),
        (
            {"client_ids": [1], "allocation": {"method": "fixed", "total_quantity": 5}},
            "ALLOCATION_INPUT",
            "allocation.quantity",
        ),
        (
            {"client_ids": [1], "allocation": {"method": "amount", "amount": "5", "percent": "5"}},
            "ALLOCATION_INPUT",
            "allocation.amount",
        ),
    ],
)
async def test_the_allocation_forms_refused_with_their_codes(
    http: httpx.AsyncClient, advisor: Actor, extra: dict, code: str, field: str | None
) -> None:
    body = {"token_id": RELIANCE, "execution": "BUY", "order_type": "MARKET", "trade_type": "DELIVERY", **extra}
    for path in ("/api/v1/orders/execute-all", "/api/v1/orders/preview"):
        response = await http.post(path, json=body, headers=advisor.headers)
        assert response.status_code == 422 and response.json()["error"]["code"] == code, (path, response.text)
        # The desk puts the message beside the picker's field this names.
        assert response.json()["error"]["details"].get("field") == field


async def test_each_refusal_of_a_sized_body_names_the_field_to_change(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    [foreign] = await make_clients(other_advisor, 1, prefix="OTHER")
    await sim.price(RELIANCE, "1400.00")
    empty = (await http.post("/api/v1/groups", json={"name": "Empty"}, headers=advisor.headers)).json()["id"]
    cases = [
        (sized_body({"method": "fixed", "quantity": 1}, group_id=empty), 422, "ALLOCATION_INPUT", "group_id"),
        (
            sized_body({"method": "fixed", "quantity": 1}, client_ids=[client.id, foreign.id]),
            404,
            "CLIENT_NOT_FOUND",
            "client_ids",
        ),
        (
            sized_body({"method": "fixed", "quantity": 2_000_000_000}, client_ids=[client.id]),
            422,
            "QUANTITY_TOO_LARGE",
            "allocation.quantity",
        ),
    ]
    for body, status, code, field in cases:
        for path in ("/api/v1/orders/execute-all", "/api/v1/orders/preview"):
            response = await http.post(path, json=body, headers=advisor.headers)
            error = response.json()["error"]
            assert (response.status_code, error["code"], error["details"].get("field")) == (status, code, field), (
                path,
                response.text,
            )
    # A percent out of range is refused by the body's own validation, its location the field.
    over = await http.post(
        "/api/v1/orders/preview",
        json=sized_body({"method": "pct_equity", "percent": "101"}, client_ids=[client.id]),
        headers=advisor.headers,
    )
    assert over.status_code == 422 and over.json()["error"]["code"] == "VALIDATION_ERROR"
    assert [e["loc"] for e in over.json()["error"]["details"]["errors"]] == [["body", "allocation", "percent"]]


async def test_another_advisors_group_is_not_found(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients
) -> None:
    [client] = await make_clients(other_advisor, 1)
    group = await make_group(http, other_advisor, [(client.id, "1")])
    response = await send(http, advisor, sized_body({"method": "fixed", "quantity": 1}, group_id=group))
    assert response.status_code == 404 and response.json()["error"]["code"] == "GROUP_NOT_FOUND"


async def test_a_sized_body_with_the_same_key_sends_once(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    body = sized_body({"method": "equal_split", "total_quantity": 4}, client_ids=[c.id for c in clients])
    first = await send(http, advisor, body, key="sized-1")
    again = await send(http, advisor, body, key="sized-1")
    assert first.json()["batch_id"] == again.json()["batch_id"]
    assert [r["sizing"]["quantity"] for r in again.json()["rows"]] == [2, 2]
    other = await send(http, advisor, {**body, "allocation": {"method": "fixed", "quantity": 1}}, key="sized-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_pct_equity_counts_holdings_at_market_and_positions_unrealised(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1, cash=Decimal("1000000"))
    await sim.price(RELIANCE, "1400.00")
    buy = {"token_id": RELIANCE, "execution": "BUY", "order_type": "LIMIT", "price": "1400.00"}
    held = await send(
        http, advisor, {**buy, "trade_type": "DELIVERY", "allocations": [{"client_id": client.id, "quantity": 100}]}
    )
    assert held.status_code == 202
    sim.next_trading_day()  # settles: 140,000 leaves cash, 100 shares are a holding
    await sim.price(RELIANCE, "1500.00")
    day = await send(
        http,
        advisor,
        {
            **buy,
            "price": "1500.00",
            "trade_type": "INTRADAY",
            "allocations": [{"client_id": client.id, "quantity": 10}],
        },
    )
    assert day.status_code == 202
    await sim.price(RELIANCE, "1600.00")
    body = sized_body({"method": "pct_equity", "percent": "10"}, client_ids=[client.id])
    [row] = (await http.post("/api/v1/orders/preview", json=body, headers=advisor.headers)).json()["rows"]
    # 860,000 cash + 100 held x 1,600 + 10 x (1,600 - 1,500) unrealised = 1,021,000, less the charges: DELIVERY buy
    # of 140,000 (brokerage 20, STT 140, exchange 4.16, SEBI 0.14, stamp 21, GST 4.37 = 189.67) and INTRADAY buy of
    # 15,000 (brokerage 4.50, exchange 0.45, SEBI 0.02, stamp 0.45, GST 0.89 = 6.31): 1,020,804.02; 10% / 1,600 = 63.80.
    assert row["sizing"]["inputs"] == {"percent": "10", "equity": "1020804.02"}
    assert row["quantity"] == 63
