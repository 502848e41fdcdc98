"""A halt stops what is in flight (DESIGN.md §7): the unsent rows of a running execute-all are CANCELLED (HALTED)
and never reach the broker, at broker latency and at none; a batch whose write meets a halt is refused whole; during
a halt a resting order may only be changed towards filling less.
"""

from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.enums import Execution, OrderType, Side, TradeType
from app.models import Batch, Client, Order
from app.schemas.orders import ModifyOrderRequest
from app.services import batches
from app.services.accounts import broker_account
from app.services.orders import adds_risk
from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch

HALTED = "HALTED"


def buy_body(clients: list[Client]) -> dict[str, Any]:
    return {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": allocations(clients, [1] * len(clients)),
    }


async def halt(http: httpx.AsyncClient, admin: Actor) -> None:
    response = await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "test"}, headers=admin.headers)
    assert response.status_code == 200, response.text


async def tags_at_broker(ctx: AppContext, clients: list[Client]) -> set[str]:
    adapter = ctx.brokers.adapter("simulator")
    return {o.tag for c in clients for o in await adapter.order_book(broker_account(ctx.vault, c))}


def check_sent_xor_halted(rows: list[dict[str, Any]], at_broker: set[str]) -> Counter[str]:
    """Every row was either sent (and filled) or stopped by the halt before it left: never both, never neither."""
    for row in rows:
        sent = f"MD{row['order_id']}" in at_broker
        if row["status"] == "CANCELLED":
            assert row["reason"].startswith(HALTED) and not sent, row
        else:
            assert row["status"] == "FILLED" and sent, row
    return Counter(row["status"] for row in rows)


async def test_a_halt_stops_the_unsent_rows_of_a_batch_at_broker_latency(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    # One order at a time, each taking 0.2 s at the broker: the batch of 8 is mostly unsent when the halt lands.
    await sim.configure(sim_latency_ms=200, sim_latency_jitter_ms=0, broker_concurrency=1)
    clients = await make_clients(advisor, 8)
    await sim.price(RELIANCE, "1400.00")
    batch_id = (await execute_all(http, advisor, buy_body(clients))).json()["batch_id"]
    url = f"/api/v1/batches/{batch_id}"

    async def one_done() -> bool:
        return (await http.get(url, headers=advisor.headers)).json()["counts"]["done"] >= 1

    await eventually(one_done)
    await halt(http, admin)
    at_halt = await tags_at_broker(ctx, clients)

    batch = await wait_batch(http, advisor, batch_id)
    assert batch["status"] == "COMPLETED" and batch["finished_at"] is not None
    at_end = await tags_at_broker(ctx, clients)
    counts = check_sent_xor_halted(batch["rows"], at_end)
    # Once the halt has answered, at most the one order then at the broker may still arrive; the rest never leave.
    assert len(at_end - at_halt) <= 1
    assert counts["CANCELLED"] >= 8 - len(at_halt) - 1 > 0, counts


async def test_a_halt_at_zero_latency_lets_through_only_the_sends_already_under_way(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    concurrency = 4
    await sim.configure(sim_latency_ms=0, sim_latency_jitter_ms=0, broker_concurrency=concurrency)
    clients = await make_clients(advisor, 200)
    await sim.price(RELIANCE, "1400.00")
    started = await execute_all(http, advisor, buy_body(clients))
    assert started.status_code == 202
    await halt(http, admin)
    at_halt = await tags_at_broker(ctx, clients)

    batch = await wait_batch(http, advisor, started.json()["batch_id"])
    at_end = await tags_at_broker(ctx, clients)
    counts = check_sent_xor_halted(batch["rows"], at_end)
    # Once the halt has answered, only the sends that already had their broker slot may still arrive.
    assert len(at_end - at_halt) <= concurrency
    assert counts["CANCELLED"] > 0, counts


async def test_a_batch_whose_write_meets_a_halt_is_refused_whole(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    check_orders = batches.check_orders

    async def halted_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # The risk checks read the brokers; an admin halts the firm while they do.
        await halt(http, admin)
        return await check_orders(*args, **kwargs)

    monkeypatch.setattr(batches, "check_orders", halted_meanwhile)
    refused = await execute_all(http, advisor, buy_body(clients))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "TRADING_HALTED"
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Batch)) == 0
        assert await session.scalar(select(func.count()).select_from(Order)) == 0


async def test_during_a_halt_a_resting_order_may_only_be_changed_towards_filling_less(
    http: httpx.AsyncClient, admin: Actor, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await place_order(http, advisor.headers, client_id=client.id, quantity=20, trade_type="DELIVERY")
    buy = await place_order(
        http, advisor.headers, client_id=client.id, quantity=10, order_type="LIMIT", price="1390.00"
    )
    sell = await place_order(
        http, advisor.headers, client_id=client.id, execution="SELL", quantity=10, order_type="LIMIT", price="1410.00"
    )
    assert buy.json()["status"] == sell.json()["status"] == "OPEN"
    await halt(http, admin)

    async def modify(order: httpx.Response, **changes: object) -> httpx.Response:
        return await http.patch(f"/api/v1/orders/{order.json()['id']}", json=changes, headers=advisor.headers)

    # Marketable now (a buy above, a sell below the market): refused, and nothing reached the broker.
    for order, riskier in ((buy, {"price": "1410.00"}), (sell, {"price": "1390.00"}), (buy, {"quantity": 11})):
        response = await modify(order, **riskier)
        assert response.status_code == 409 and response.json()["error"]["code"] == "TRADING_HALTED", response.text
    for order in (buy, sell):
        now = (await http.get(f"/api/v1/orders/{order.json()['id']}", headers=advisor.headers)).json()
        assert (now["status"], now["quantity"], now["price"]) == ("OPEN", 10, order.json()["price"])

    # Further from the market, or smaller: allowed.
    assert (await modify(buy, price="1380.00")).json()["price"] == "1380.00"
    assert (await modify(sell, price="1420.00")).json()["price"] == "1420.00"
    assert (await modify(buy, quantity=5)).json()["quantity"] == 5


@pytest.mark.parametrize(
    ("side", "trigger", "riskier"),
    [
        (Side.BUY, "1390.00", True),
        (Side.BUY, "1410.00", False),
        (Side.SELL, "1410.00", True),
        (Side.SELL, "1390.00", False),
    ],
)
def test_a_stop_triggers_sooner_with_a_buy_trigger_lowered_or_a_sell_trigger_raised(
    side: Side, trigger: str, riskier: bool
) -> None:
    order = Order(
        client_id=1,
        token_id=RELIANCE,
        created_by=1,
        execution=Execution(side.value),
        side=side,
        order_type=OrderType.SL_M,
        trade_type=TradeType.DELIVERY,
        quantity=10,
        trigger_price=Decimal("1400.00"),
    )
    assert adds_risk(order, ModifyOrderRequest(trigger_price=Decimal(trigger))) is riskier
