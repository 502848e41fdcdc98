"""Bodies that move money are strict and bounded: nothing coerced, unknown or huge gets near a broker.

Every case sends a body the API must refuse and then checks the broker never heard of it: the simulator's
requests are counted, and its books are compared before and after.
"""

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.brokers.base import BrokerAccount, BrokerOrder
from app.context import AppContext
from app.models import Batch, Order
from tests.conftest import Actor, MakeClients, Simulator, place_order
from tests.test_execute_all import RELIANCE

HUGE = [10**29, 2**64, 2**31]
ARABIC_INDIC_1400 = "\u0661\u0664\u0660\u0660"  # ١٤٠٠
ORDER_REQUESTS = ("place_order", "modify_order", "cancel_order")


@pytest.fixture
def broker_requests(sim: Simulator) -> list[str]:
    """Every order request that reached the simulator, by method name."""
    seen: list[str] = []
    broker = sim.broker
    for name in ORDER_REQUESTS:
        real: Callable[..., Awaitable[Any]] = getattr(broker, name)

        async def spy(*args: Any, _real: Callable[..., Awaitable[Any]] = real, _name: str = name, **kw: Any) -> Any:
            seen.append(_name)
            return await _real(*args, **kw)

        setattr(broker, name, spy)
    return seen


def account(client: Any) -> BrokerAccount:
    return BrokerAccount(client.id, client.broker_client_id, {}, client.opening_cash)


async def book(sim: Simulator, client: Any) -> list[BrokerOrder]:
    return await sim.broker.order_book(account(client))


async def order_rows(ctx: AppContext) -> int:
    async with ctx.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Order)) or 0


async def resting_buy(http: httpx.AsyncClient, advisor: Actor, client_id: int, quantity: int = 1) -> dict[str, Any]:
    placed = await place_order(
        http, advisor.headers, client_id=client_id, order_type="LIMIT", price="1000.00", quantity=quantity
    )
    assert placed.status_code == 201 and placed.json()["status"] == "OPEN", placed.text
    return placed.json()


def execute_all_body(allocations: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations,
        **fields,
    }


def refused(response: httpx.Response, code: str = "VALIDATION_ERROR") -> None:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code, response.text


# ------------------------------------------------------------------------------------------- huge quantities


@pytest.mark.parametrize("quantity", HUGE)
async def test_a_huge_quantity_on_place_is_refused_before_the_broker(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    quantity: int,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    refused(await place_order(http, advisor.headers, client_id=client.id, quantity=quantity))
    assert broker_requests == []
    assert await order_rows(ctx) == 0


@pytest.mark.parametrize("quantity", HUGE)
async def test_one_huge_allocation_refuses_the_whole_execute_all_before_anything_is_sent(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    quantity: int,
) -> None:
    clients = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    allocations = [{"client_id": c.id, "quantity": q} for c, q in zip(clients, [1, quantity, 1], strict=True)]
    response = await http.post(
        "/api/v1/orders/execute-all", json=execute_all_body(allocations), headers=advisor.headers
    )
    refused(response)
    assert broker_requests == []
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Batch)) == 0
    assert await order_rows(ctx) == 0


@pytest.mark.parametrize("quantity", HUGE)
async def test_a_huge_quantity_on_modify_leaves_broker_and_book_as_they_were(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    broker_requests: list[str],
    quantity: int,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    order = await resting_buy(http, advisor, client.id)
    broker_requests.clear()
    at_broker = await book(sim, client)

    refused(await http.patch(f"/api/v1/orders/{order['id']}", json={"quantity": quantity}, headers=advisor.headers))
    assert broker_requests == []
    assert await book(sim, client) == at_broker
    # The order is unharmed: its record agrees with the broker, and an ordinary change still goes through.
    assert (await http.get(f"/api/v1/orders/{order['id']}", headers=advisor.headers)).json()["quantity"] == 1
    changed = await http.patch(f"/api/v1/orders/{order['id']}", json={"quantity": 2}, headers=advisor.headers)
    assert changed.status_code == 200 and changed.json()["quantity"] == 2
    assert [o.quantity for o in await book(sim, client)] == [2]
    assert (await http.get("/api/v1/clients", headers=advisor.headers)).status_code == 200


async def bought(http: httpx.AsyncClient, advisor: Actor, client_id: int) -> int:
    """A filled buy of 5; the id of its trade."""
    placed = await place_order(http, advisor.headers, client_id=client_id, quantity=5)
    assert placed.json()["status"] == "FILLED", placed.text
    trades = await http.get("/api/v1/trades", params={"client_id": client_id}, headers=advisor.headers)
    return trades.json()["items"][0]["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"order_type": "LIMIT", "price": 10**29},
        {"order_type": "LIMIT", "price": str(2**64)},
        {"order_type": "LIMIT", "price": "1400.00", "quantity": 2**64},
        {"quantity": 10**29},
    ],
)
async def test_exits_refuse_huge_numbers_and_quantities_they_do_not_take(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    body: dict[str, Any],
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    trade_id = await bought(http, advisor, client.id)
    broker_requests.clear()
    expected = "UNKNOWN_FIELD" if "quantity" in body else "VALIDATION_ERROR"
    refused(await http.post(f"/api/v1/trades/{trade_id}/exit", json=body, headers=advisor.headers), expected)
    by_token = {**body, "client_ids": [client.id]}
    refused(
        await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json=by_token, headers=advisor.headers), expected
    )
    assert broker_requests == []
    assert await order_rows(ctx) == 1


# ------------------------------------------------------------------------------------- configured maximums


@pytest.fixture
def small_maximums(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctx.settings, "max_order_quantity", 100)
    monkeypatch.setattr(ctx.settings, "max_order_price", Decimal("5000"))


@pytest.mark.usefixtures("small_maximums")
async def test_the_configured_maximums_bound_place_execute_all_modify_and_exits(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, broker_requests: list[str]
) -> None:
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    too_many = await place_order(http, advisor.headers, client_id=clients[0].id, quantity=101)
    refused(too_many, "QUANTITY_TOO_LARGE")
    assert too_many.json()["error"]["details"] == {"max_quantity": 100}
    too_dear = await place_order(
        http, advisor.headers, client_id=clients[0].id, order_type="LIMIT", price="5000.05", quantity=1
    )
    refused(too_dear, "PRICE_TOO_LARGE")
    assert too_dear.json()["error"]["details"] == {"max_price": "5000"}
    stop = {"order_type": "SL-M", "trigger_price": "5000.05", "execution": "SELL"}
    refused(await place_order(http, advisor.headers, client_id=clients[0].id, **stop), "PRICE_TOO_LARGE")
    allocations = [{"client_id": clients[0].id, "quantity": 1}, {"client_id": clients[1].id, "quantity": 101}]
    refused(
        await http.post("/api/v1/orders/execute-all", json=execute_all_body(allocations), headers=advisor.headers),
        "QUANTITY_TOO_LARGE",
    )
    assert broker_requests == []

    # At the maximum is fine.
    order = await resting_buy(http, advisor, clients[0].id, quantity=100)
    broker_requests.clear()
    path = f"/api/v1/orders/{order['id']}"
    refused(await http.patch(path, json={"quantity": 101}, headers=advisor.headers), "QUANTITY_TOO_LARGE")
    refused(await http.patch(path, json={"price": "5000.05"}, headers=advisor.headers), "PRICE_TOO_LARGE")
    trade_id = await bought(http, advisor, clients[1].id)
    broker_requests.clear()
    limit_exit = {"order_type": "LIMIT", "price": "5000.05"}
    refused(
        await http.post(f"/api/v1/trades/{trade_id}/exit", json=limit_exit, headers=advisor.headers), "PRICE_TOO_LARGE"
    )
    refused(
        await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json=limit_exit, headers=advisor.headers),
        "PRICE_TOO_LARGE",
    )
    assert broker_requests == []


# ------------------------------------------------------------------------------------------------- coercion


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"quantity": True}, "VALIDATION_ERROR"),
        ({"quantity": "1"}, "VALIDATION_ERROR"),
        ({"quantity": 1.0}, "VALIDATION_ERROR"),
        ({"token_id": "2885"}, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT", "price": ARABIC_INDIC_1400}, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT", "price": "1400.00\u0660"}, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT", "price": True}, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT", "price": " 1400.00"}, "VALIDATION_ERROR"),
        ({"order_type": "LIMIT", "price": "14e2"}, "VALIDATION_ERROR"),
        ({"exit_plan": {"target_pct": "2"}}, "UNKNOWN_FIELD"),
        ({"validity": "IOC"}, "UNKNOWN_FIELD"),
        ({"amo": "yes"}, "VALIDATION_ERROR"),
        ({"amo": 1}, "VALIDATION_ERROR"),
    ],
)
async def test_place_takes_no_coerced_values_and_no_unknown_fields(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    fields: dict[str, Any],
    code: str,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    refused(await place_order(http, advisor.headers, client_id=client.id, **fields), code)
    assert broker_requests == []
    assert await order_rows(ctx) == 0


async def test_decimals_as_ascii_strings_or_json_numbers_are_accepted(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    for price in ("1000.50", "1000", 1000.5, 1000):
        placed = await place_order(
            http, advisor.headers, client_id=client.id, order_type="LIMIT", price=price, quantity=1
        )
        assert placed.status_code == 201, placed.text
        assert Decimal(placed.json()["price"]) == Decimal(str(price))


@pytest.mark.parametrize(
    ("allocation", "extra", "code"),
    [
        ({"quantity": True}, {}, "VALIDATION_ERROR"),
        ({"quantity": "5"}, {}, "VALIDATION_ERROR"),
        ({"quantity": 5.0}, {}, "VALIDATION_ERROR"),
        ({"quantity": 5, "note": "x"}, {}, "UNKNOWN_FIELD"),
        ({"quantity": 5}, {"validity": "IOC"}, "UNKNOWN_FIELD"),
        ({"quantity": 5}, {"amo": "true"}, "VALIDATION_ERROR"),
        ({"quantity": 5}, {"order_type": "LIMIT", "price": ARABIC_INDIC_1400}, "VALIDATION_ERROR"),
    ],
)
async def test_execute_all_takes_no_coerced_values_and_no_unknown_fields(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    allocation: dict[str, Any],
    extra: dict[str, Any],
    code: str,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    body = execute_all_body([{"client_id": client.id, **allocation}], **extra)
    refused(await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers), code)
    assert broker_requests == []
    assert await order_rows(ctx) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"quantity": True}, "VALIDATION_ERROR"),
        ({"quantity": "2"}, "VALIDATION_ERROR"),
        ({"quantity": 2.0}, "VALIDATION_ERROR"),
        ({"price": "\u0669\u0669\u0660"}, "VALIDATION_ERROR"),
        ({"quantity": 2, "exit_plan": {"stop_pct": "1"}}, "UNKNOWN_FIELD"),
    ],
)
async def test_modify_takes_no_coerced_values_and_no_unknown_fields(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    broker_requests: list[str],
    body: dict[str, Any],
    code: str,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    order = await resting_buy(http, advisor, client.id)
    broker_requests.clear()
    at_broker = await book(sim, client)
    refused(await http.patch(f"/api/v1/orders/{order['id']}", json=body, headers=advisor.headers), code)
    assert broker_requests == []
    assert await book(sim, client) == at_broker


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"order_type": "LIMIT", "price": ARABIC_INDIC_1400}, "VALIDATION_ERROR"),
        ({"client_ids": ["1"]}, "VALIDATION_ERROR"),
        ({"client_ids": [True]}, "VALIDATION_ERROR"),
        ({"amo": True}, "UNKNOWN_FIELD"),
    ],
)
async def test_exit_by_token_takes_no_coerced_values_and_no_unknown_fields(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    broker_requests: list[str],
    body: dict[str, Any],
    code: str,
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await bought(http, advisor, client.id)
    broker_requests.clear()
    response = await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json=body, headers=advisor.headers)
    refused(response, code)
    assert broker_requests == []
    assert await order_rows(ctx) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"max_order_quantity": True}, "VALIDATION_ERROR"),
        ({"max_order_quantity": "100"}, "VALIDATION_ERROR"),
        ({"max_order_quantity": 100.0}, "VALIDATION_ERROR"),
        ({"max_order_value": ARABIC_INDIC_1400}, "VALIDATION_ERROR"),
        ({"denied_token_ids": ["2885"]}, "VALIDATION_ERROR"),
        ({"max_order_qty": 100}, "UNKNOWN_FIELD"),
    ],
)
async def test_risk_limit_bodies_take_no_coerced_values_and_no_unknown_fields(
    http: httpx.AsyncClient, admin: Actor, body: dict[str, Any], code: str
) -> None:
    refused(await http.put("/api/v1/risk/limits", json=body, headers=admin.headers), code)
    limits = (await http.get("/api/v1/risk/limits", headers=admin.headers)).json()
    assert limits["max_order_quantity"] is None and limits["max_order_value"] is None
