"""Crash safety: orders written but not sent, or sent but never answered, settle by tag and are never doubled."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import httpx

from app.brokers.base import BrokerAccount, BrokerOrder, BrokerOrderAck, BrokerOrderRequest
from app.context import AppContext
from app.models import Client
from app.services.dispatch import apply_broker_update
from app.services.reconcile import NOT_AT_BROKER, reconcile
from tests.conftest import Actor, MakeClients, Simulator, eventually, wait_for_trades
from tests.test_execute_all import RELIANCE, allocations, execute_all, wait_batch

NOW = timedelta(0)


def account(client: object) -> BrokerAccount:
    return BrokerAccount(client.id, client.broker_client_id, {}, client.opening_cash)  # type: ignore[attr-defined]


async def test_kill_between_written_and_sent_then_restart_reconciliation(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 6)
    await sim.price(RELIANCE, "1400.00")
    broker = sim.broker
    real_place = broker.place_order
    never = asyncio.Event()
    answered_then_lost, not_sent = clients[2], clients[3:]

    async def crashing_place(acct: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if acct.client_id == answered_then_lost.id:
            await real_place(acct, req)  # the broker has it; our process dies before hearing back
            await never.wait()
        if acct.client_id in {c.id for c in not_sent}:
            await never.wait()  # the process dies before this request leaves
        return await real_place(acct, req)

    broker.place_order = crashing_place  # type: ignore[method-assign]
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [1, 2, 3, 4, 5, 6]),
    }
    batch_id = (await execute_all(http, advisor, body)).json()["batch_id"]

    async def first_two_filled() -> bool:
        rows = (await http.get(f"/api/v1/batches/{batch_id}", headers=advisor.headers)).json()["rows"]
        return sum(row["status"] == "FILLED" for row in rows) == 2

    await eventually(first_two_filled)
    assert len(await broker.order_book(account(answered_then_lost))) == 1
    await ctx.tasks.close()  # the crash: the batch run dies mid-flight
    broker.place_order = real_place  # type: ignore[method-assign]
    before = (await http.get(f"/api/v1/batches/{batch_id}", headers=advisor.headers)).json()
    assert before["counts"]["pending"] == 4 and before["status"] == "RUNNING"

    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (report.updated, report.not_at_broker) == (1, 3)
    after = await wait_batch(http, advisor, batch_id)
    rows = {row["client_id"]: row for row in after["rows"]}
    assert rows[answered_then_lost.id]["status"] == "FILLED"
    assert rows[answered_then_lost.id]["filled_quantity"] == 3
    for client in not_sent:
        assert rows[client.id]["status"] == "CANCELLED"
        assert rows[client.id]["reason"] == NOT_AT_BROKER
        assert await broker.order_book(account(client)) == []
    for client in clients[:3]:
        assert len(await broker.order_book(account(client))) == 1, "nothing was sent twice"
    assert after["status"] == "COMPLETED" and after["counts"]["pending"] == 0

    again = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert (again.updated, again.not_at_broker) == (0, 0)


async def test_timeouts_become_failed_then_reconcile_to_the_brokers_verdict(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    await sim.configure(sim_timeout_rate=1.0)
    clients = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [1, 1, 1]),
    }
    batch = await wait_batch(http, advisor, (await execute_all(http, advisor, body)).json()["batch_id"])
    assert {row["status"] for row in batch["rows"]} == {"FAILED"}
    assert all("not re-sent" in row["reason"] for row in batch["rows"])

    await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    settled = await wait_batch(http, advisor, batch["batch_id"])
    assert {row["status"] for row in settled["rows"]} == {"FILLED"}
    for client in clients:
        assert len(await sim.broker.order_book(account(client))) == 1
    assert len(await wait_for_trades(http, advisor, 3)) == 3


async def test_a_pushed_fill_and_a_late_answer_never_move_an_order_backwards(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    placed = await http.post(
        "/api/v1/orders/place",
        json={
            "client_id": client.id,
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "LIMIT",
            "price": "1390.00",
            "trade_type": "INTRADAY",
            "quantity": 2,
        },
        headers=advisor.headers,
    )
    order_id = placed.json()["id"]
    [stale_open] = await sim.broker.order_book(account(client))
    await sim.price(RELIANCE, "1380.00")

    async def filled() -> bool:
        return (await http.get(f"/api/v1/orders/{order_id}", headers=advisor.headers)).json()["status"] == "FILLED"

    await eventually(filled)
    assert await apply_broker_update(ctx, order_id, stale_open) is False
    assert (await http.get(f"/api/v1/orders/{order_id}", headers=advisor.headers)).json()["status"] == "FILLED"


async def test_one_order_that_cannot_be_recorded_does_not_stop_the_pass(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    first, second = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")

    async def resting(client_id: int, price: str) -> int:
        body = {
            "client_id": client_id,
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "LIMIT",
            "price": price,
            "trade_type": "INTRADAY",
            "quantity": 2,
        }
        placed = await http.post("/api/v1/orders/place", json=body, headers=advisor.headers)
        assert placed.json()["status"] == "OPEN", placed.text
        return placed.json()["id"]

    poisoned, filled_first, filled_second = (
        await resting(first.id, "1000.00"),
        await resting(first.id, "1390.00"),
        await resting(second.id, "1390.00"),
    )
    # The two 1390 bids fill at the broker while nobody listens: only reconciliation can tell us.
    sim.broker.set_order_listener(None)
    await sim.price(RELIANCE, "1380.00")
    real_book = sim.broker.order_book

    async def book_with_a_poisoned_row(acct: BrokerAccount) -> list[BrokerOrder]:
        # A row our database cannot hold (the state a poisoned modify once left behind), listed first.
        rows = await real_book(acct)
        return [replace(row, quantity=2**64) if row.tag == f"MD{poisoned}" else row for row in rows]

    sim.broker.order_book = book_with_a_poisoned_row  # type: ignore[method-assign]
    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert report.failed_orders == [poisoned]
    assert report.updated == 2
    for order_id, status in ((filled_first, "FILLED"), (filled_second, "FILLED"), (poisoned, "OPEN")):
        order = (await http.get(f"/api/v1/orders/{order_id}", headers=advisor.headers)).json()
        assert (order["status"], order["quantity"]) == (status, 2)
    assert len(await wait_for_trades(http, advisor, 2)) == 2


async def test_a_client_whose_books_cannot_be_read_does_not_stop_the_pass_for_the_others(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    unreadable, fine = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    order_ids = []
    for client in (unreadable, fine):
        body = {
            "client_id": client.id,
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "LIMIT",
            "price": "1390.00",
            "trade_type": "INTRADAY",
            "quantity": 1,
        }
        order_ids.append((await http.post("/api/v1/orders/place", json=body, headers=advisor.headers)).json()["id"])
    sim.broker.set_order_listener(None)
    await sim.price(RELIANCE, "1380.00")
    async with ctx.sessions() as session:
        row = await session.get(Client, unreadable.id)
        assert row is not None
        row.credentials_ciphertext = "sealed-under-a-key-this-server-no-longer-has"
        await session.commit()

    report = await reconcile(ctx, pending_older_than=NOW, failed_older_than=NOW)
    assert report.unreachable_clients == [unreadable.id]
    statuses = [
        (await http.get(f"/api/v1/orders/{order_id}", headers=advisor.headers)).json()["status"]
        for order_id in order_ids
    ]
    assert statuses == ["OPEN", "FILLED"]
