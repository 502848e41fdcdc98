"""Execute-all: one order per client, every row accounted for, one client's trouble never stops the others."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import func, select

from app.brokers.base import BrokerAccount, BrokerOrderAck, BrokerOrderRequest
from app.context import AppContext
from app.enums import BatchKind, BatchStatus, OrderStatus
from app.models import Batch, Order
from app.services.batches import build_batch_out
from tests.conftest import Actor, MakeClients, Simulator

RELIANCE = 2885


def allocations(clients: list, quantities: list[int]) -> list[dict[str, int]]:
    return [{"client_id": c.id, "quantity": q} for c, q in zip(clients, quantities, strict=True)]


async def execute_all(http: httpx.AsyncClient, actor: Actor, body: dict, key: str | None = None) -> httpx.Response:
    headers = {**actor.headers, **({"Idempotency-Key": key} if key else {})}
    return await http.post("/api/v1/orders/execute-all", json=body, headers=headers)


async def wait_batch(http: httpx.AsyncClient, actor: Actor, batch_id: int) -> dict:
    response = await http.get(f"/api/v1/batches/{batch_id}", params={"wait": "true"}, headers=actor.headers)
    assert response.status_code == 200
    return response.json()


async def test_eight_clients_one_margin_reject_one_timeout_one_skipped(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    rich = await make_clients(advisor, 6, cash=Decimal("1000000"))
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    [slow] = await make_clients(advisor, 1, cash=Decimal("1000000"), prefix="SLOW")
    await sim.price(RELIANCE, "1400.00")
    broker = sim.broker
    real_place = broker.place_order

    async def place_slowly_for_one(account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        if account.client_id == slow.id:
            # The broker takes the order, but its answer outlives our call timeout.
            ack = await real_place(account, req)
            await asyncio.sleep(5)
            return ack
        return await real_place(account, req)

    broker.place_order = place_slowly_for_one  # type: ignore[method-assign]
    ctx.brokers.call_timeout_s = 0.3
    clients = [*rich, poor, slow]
    quantities = [10, 10, 10, 10, 10, 0, 10, 10]
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": allocations(clients, quantities),
    }
    response = await execute_all(http, advisor, body)
    assert response.status_code == 202
    assert len(response.json()["rows"]) == 8
    batch = await wait_batch(http, advisor, response.json()["batch_id"])

    rows = {row["client_id"]: row for row in batch["rows"]}
    for client in rich[:5]:
        assert rows[client.id]["status"] == "FILLED"
        assert rows[client.id]["filled_quantity"] == 10
        assert rows[client.id]["average_price"] == "1400.00"
    assert rows[rich[5].id]["status"] == "SKIPPED" and rows[rich[5].id]["order_id"] is None
    assert rows[poor.id]["status"] == "REJECTED"
    assert "INSUFFICIENT_MARGIN" in rows[poor.id]["reason"]
    assert rows[slow.id]["status"] == "FAILED"
    assert rows[slow.id]["reason"].startswith("NO_ANSWER")
    assert batch["status"] == "COMPLETED"
    assert batch["counts"] == {
        "total": 8,
        "done": 8,
        "pending": 0,
        "open": 0,
        "partially_filled": 0,
        "filled": 5,
        "cancelled": 0,
        "denied": 0,
        "rejected": 1,
        "failed": 1,
        "skipped": 1,
    }
    # The rejected client's cash is untouched; the filled ones paid for their shares.
    portfolio = (await http.get(f"/api/v1/clients/{poor.id}/portfolio", headers=advisor.headers)).json()
    assert portfolio["summary"]["margin_available"] == "1000.00"


async def test_same_idempotency_key_sends_one_set_of_orders(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    clients = await make_clients(advisor, 3)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [5, 5, 5]),
    }
    first, second = await asyncio.gather(
        execute_all(http, advisor, body, key="key-123"), execute_all(http, advisor, body, key="key-123")
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["batch_id"] == second.json()["batch_id"]
    await wait_batch(http, advisor, first.json()["batch_id"])
    again = await execute_all(http, advisor, body, key="key-123")
    assert again.json()["batch_id"] == first.json()["batch_id"]
    assert {row["status"] for row in again.json()["rows"]} == {"FILLED"}

    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 3
        assert await session.scalar(select(func.count()).select_from(Batch)) == 1
    for client in clients:
        book = await sim.broker.order_book(BrokerAccount(client.id, client.broker_client_id, {}, client.opening_cash))
        assert len(book) == 1

    changed = await execute_all(http, advisor, {**body, "trade_type": "DELIVERY"}, key="key-123")
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_request_wide_mistakes_are_refused_whole_and_write_nothing(
    http: httpx.AsyncClient, advisor: Actor, other_advisor: Actor, make_clients: MakeClients, ctx: AppContext
) -> None:
    mine = await make_clients(advisor, 2)
    [theirs] = await make_clients(other_advisor, 1, prefix="OTH")
    base = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "trade_type": "INTRADAY",
        "allocations": allocations(mine, [1, 1]),
    }
    no_price = await execute_all(http, advisor, {**base, "order_type": "LIMIT"})
    assert no_price.status_code == 422 and no_price.json()["error"]["code"] == "PRICE_REQUIRED"
    off_tick = await execute_all(http, advisor, {**base, "order_type": "LIMIT", "price": "1400.03"})
    assert off_tick.status_code == 422 and off_tick.json()["error"]["code"] == "PRICE_OFF_TICK"
    foreign = await execute_all(
        http, advisor, {**base, "order_type": "MARKET", "allocations": allocations([*mine, theirs], [1, 1, 1])}
    )
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "CLIENT_NOT_FOUND"
    twice = await execute_all(
        http, advisor, {**base, "order_type": "MARKET", "allocations": allocations([mine[0], mine[0]], [1, 1])}
    )
    assert twice.status_code == 422
    unknown_token = await execute_all(http, advisor, {**base, "order_type": "MARKET", "token_id": 1})
    assert unknown_token.status_code == 404 and unknown_token.json()["error"]["code"] == "TOKEN_NOT_FOUND"
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0


async def test_viewer_cannot_execute_and_inactive_client_row_is_denied(
    http: httpx.AsyncClient, advisor: Actor, viewer: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 2)
    await http.post(f"/api/v1/clients/{clients[1].id}/deactivate", headers=advisor.headers)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [2, 2]),
    }
    assert (await execute_all(http, viewer, body)).status_code == 403
    response = await execute_all(http, advisor, body)
    batch = await wait_batch(http, advisor, response.json()["batch_id"])
    statuses = {row["client_id"]: (row["status"], row["reason"]) for row in batch["rows"]}
    assert statuses[clients[0].id] == ("FILLED", None)
    assert statuses[clients[1].id][0] == "DENIED" and "CLIENT_INACTIVE" in statuses[clients[1].id][1]
    other = await http.get(f"/api/v1/batches/{response.json()['batch_id']}", headers=viewer.headers)
    assert other.status_code == 200


async def test_a_batch_with_nothing_to_send_is_completed_with_its_finish_time(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients
) -> None:
    # Every row decided when the batch is written: COMPLETED in the 202 itself, which said finished_at null.
    clients = await make_clients(advisor, 2)
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [0, 0]),
    }
    created = await execute_all(http, advisor, body)
    assert created.status_code == 202, created.text
    assert created.json()["status"] == "COMPLETED"
    assert created.json()["finished_at"] is not None
    assert created.json()["finished_at"] >= created.json()["created_at"]
    again = await wait_batch(http, advisor, created.json()["batch_id"])
    assert again["status"] == "COMPLETED" and again["finished_at"] is not None


def test_a_batch_whose_rows_all_have_a_verdict_always_has_a_finish_time() -> None:
    # Between the last row's verdict and complete_if_done's commit, readers derive COMPLETED from the rows.
    created = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    batch = Batch(
        id=7, kind=BatchKind.EXECUTE_ALL, created_by=1, request_hash="h", token_id=RELIANCE, created_at=created
    )
    rows = [
        Order(
            id=n,
            batch_id=7,
            client_id=n,
            token_id=RELIANCE,
            execution="BUY",
            order_type="MARKET",
            trade_type="INTRADAY",
            quantity=1,
            status=status,
            created_at=created,
            updated_at=created + timedelta(seconds=n),
        )
        for n, status in ((1, OrderStatus.FILLED), (2, OrderStatus.REJECTED))
    ]
    done = build_batch_out(batch, rows, {}, "RELIANCE")
    assert done.status == BatchStatus.COMPLETED
    assert done.finished_at == created + timedelta(seconds=2)  # the last verdict
    rows[0].status = OrderStatus.PENDING
    running = build_batch_out(batch, rows, {}, "RELIANCE")
    assert running.status == BatchStatus.RUNNING and running.finished_at is None


async def test_an_empty_or_blank_idempotency_key_is_refused(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    # An empty key was a key like any other: every request a client sent without a real key became one batch.
    clients = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": allocations(clients, [1]),
    }
    for key in ("", "   ", "\t"):
        headers = {**advisor.headers, "Idempotency-Key": key}
        placed = await http.post("/api/v1/orders/execute-all", json=body, headers=headers)
        assert placed.status_code == 422, (key, placed.text)
        assert placed.json()["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"
        exited = await http.post(f"/api/v1/trades/exit-by-token/{RELIANCE}", json={}, headers=headers)
        assert exited.status_code == 422, (key, exited.text)
        assert exited.json()["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"
    too_long = await execute_all(http, advisor, body, key="k" * 129)
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "INVALID_IDEMPOTENCY_KEY"
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Batch)) == 0
    assert (await execute_all(http, advisor, body, key="k" * 128)).status_code == 202
