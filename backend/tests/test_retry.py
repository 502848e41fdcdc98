"""Retry: a batch's rows the broker never took are sent again as a new batch, each row once, never a FAILED one."""

import asyncio
from decimal import Decimal

import httpx
from sqlalchemy import select, update

from app.brokers.base import BrokerAccount, BrokerOrderAck, BrokerOrderRequest
from app.context import AppContext
from app.enums import BatchKind, OrderStatus
from app.models import AuditEvent, Batch, Order
from tests.conftest import Actor, MakeClients, Simulator

RELIANCE = 2885


def body_for(clients: list, quantity: int = 10, **terms: str) -> dict:
    return {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": [{"client_id": c.id, "quantity": quantity} for c in clients],
        **terms,
    }


async def run_batch(http: httpx.AsyncClient, actor: Actor, body: dict) -> dict:
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=actor.headers)
    assert response.status_code == 202, response.text
    return await wait(http, actor, response.json()["batch_id"])


async def wait(http: httpx.AsyncClient, actor: Actor, batch_id: int) -> dict:
    response = await http.get(f"/api/v1/batches/{batch_id}", params={"wait": "true"}, headers=actor.headers)
    assert response.status_code == 200
    return response.json()


async def retry(
    http: httpx.AsyncClient, actor: Actor, batch_id: int, key: str | None = "retry-1", body: dict | None = None
) -> httpx.Response:
    headers = {**actor.headers, **({"Idempotency-Key": key} if key else {})}
    return await http.post(f"/api/v1/batches/{batch_id}/retry", json=body or {}, headers=headers)


def record_sends(sim: Simulator) -> list[tuple[int, BrokerOrderRequest]]:
    sent: list[tuple[int, BrokerOrderRequest]] = []
    real_place = sim.broker.place_order

    async def place(account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        sent.append((account.client_id, req))
        return await real_place(account, req)

    sim.broker.place_order = place  # type: ignore[method-assign]
    return sent


async def settle(ctx: AppContext, order_id: int, status: OrderStatus, reason: str) -> None:
    """Leave a row as reconciliation (or a lost answer) would."""
    async with ctx.sessions() as session:
        await session.execute(update(Order).where(Order.id == order_id).values(status=status, reason=reason))
        await session.commit()


async def test_retry_sends_rejected_and_not_at_broker_rows_with_their_terms_never_failed_ones(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [filled, lost, unknown] = await make_clients(advisor, 3)
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    batch = await run_batch(http, advisor, body_for([filled, lost, unknown, poor], trade_type="INTRADAY"))
    rows = {row["client_id"]: row for row in batch["rows"]}
    assert rows[poor.id]["status"] == "REJECTED"
    await settle(ctx, rows[lost.id]["order_id"], OrderStatus.CANCELLED, "NOT_AT_BROKER: the broker has no order")
    await settle(ctx, rows[unknown.id]["order_id"], OrderStatus.FAILED, "NO_ANSWER: the broker did not answer")
    sent = record_sends(sim)

    response = await retry(http, advisor, batch["batch_id"])
    assert response.status_code == 202, response.text
    assert response.json()["retry_of"] == batch["batch_id"]
    assert response.json()["kind"] == BatchKind.RETRY
    done = await wait(http, advisor, response.json()["batch_id"])

    # Only the rejected row and the one proven not at the broker: the FAILED one may be at the broker.
    assert sorted(client_id for client_id, _ in sent) == sorted([lost.id, poor.id])
    for _, req in sent:
        assert (req.side, req.quantity, req.order_type, req.trade_type, req.price) == (
            "BUY",
            10,
            "MARKET",
            "INTRADAY",
            None,
        )
    assert {row["client_id"]: row["status"] for row in done["rows"]} == {lost.id: "FILLED", poor.id: "REJECTED"}
    original = await wait(http, advisor, batch["batch_id"])
    assert original["retries"] == [done["batch_id"]]
    async with ctx.sessions() as session:
        actions = list(
            await session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(done["batch_id"])))
        )
    assert "batch.retry" in actions

    # The poor client is still rejected: its new row can be retried in turn, the original's rows not again.
    again = await retry(http, advisor, batch["batch_id"], key="retry-2")
    assert again.status_code == 409 and again.json()["error"]["code"] == "NOTHING_TO_RETRY"
    chained = await retry(http, advisor, done["batch_id"], key="retry-3")
    assert chained.status_code == 202
    assert [row["client_id"] for row in chained.json()["rows"]] == [poor.id]


async def test_a_new_limit_price_is_checked_and_sent(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    limit = await run_batch(http, advisor, body_for([poor], order_type="LIMIT", price="1400.00"))
    assert limit["rows"][0]["status"] == "REJECTED"
    sent = record_sends(sim)

    off_tick = await retry(http, advisor, limit["batch_id"], body={"price": "1.03"})
    assert off_tick.status_code == 422 and off_tick.json()["error"]["code"] == "PRICE_OFF_TICK"
    unknown_field = await retry(http, advisor, limit["batch_id"], key="k2", body={"price": "1.00", "quantity": 5})
    assert unknown_field.status_code == 422
    response = await retry(http, advisor, limit["batch_id"], key="k3", body={"price": "1.00"})
    assert response.status_code == 202
    done = await wait(http, advisor, response.json()["batch_id"])
    assert done["rows"][0]["status"] == "OPEN"  # affordable at the new price, resting below the market
    assert [(req.price, req.quantity) for _, req in sent] == [(Decimal("1.00"), 10)]

    [poor2] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POORER")
    market = await run_batch(http, advisor, body_for([poor2]))
    priced = await retry(http, advisor, market["batch_id"], key="k4", body={"price": "1.00"})
    assert priced.status_code == 422 and priced.json()["error"]["code"] == "PRICE_NOT_ALLOWED"


async def test_the_same_key_gives_the_same_retry_and_a_reused_key_or_no_key_is_refused(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    poor = await make_clients(advisor, 2, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    batch = await run_batch(http, advisor, body_for(poor, order_type="LIMIT", price="1400.00"))
    sent = record_sends(sim)

    no_key = await retry(http, advisor, batch["batch_id"], key=None)
    assert no_key.status_code == 422 and no_key.json()["error"]["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    first = await retry(http, advisor, batch["batch_id"], key="same")
    await wait(http, advisor, first.json()["batch_id"])
    replay = await retry(http, advisor, batch["batch_id"], key="same")
    assert first.status_code == replay.status_code == 202
    assert replay.json()["batch_id"] == first.json()["batch_id"]
    assert len(sent) == 2
    changed = await retry(http, advisor, batch["batch_id"], key="same", body={"price": "1.00"})
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(sent) == 2


async def test_two_retries_at_once_send_each_row_once(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    poor = await make_clients(advisor, 5, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    batch = await run_batch(http, advisor, body_for(poor))
    sent = record_sends(sim)

    answers = await asyncio.gather(*(retry(http, advisor, batch["batch_id"], key=f"race-{i}") for i in range(3)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [202, 409, 409], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] in {"ALREADY_RETRIED", "NOTHING_TO_RETRY"}
    [winner] = [a.json()["batch_id"] for a in answers if a.status_code == 202]
    await wait(http, advisor, winner)
    assert sorted(client_id for client_id, _ in sent) == sorted(c.id for c in poor)
    async with ctx.sessions() as session:
        retried = list(await session.scalars(select(Batch.id).where(Batch.retry_of == batch["batch_id"])))
    assert retried == [winner]


async def test_exits_are_not_retried_and_a_batch_without_retryable_rows_says_so(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    filled = await run_batch(http, advisor, body_for([client]))
    nothing = await retry(http, advisor, filled["batch_id"])
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "NOTHING_TO_RETRY"

    async with ctx.sessions() as session:
        exit_batch = Batch(
            kind=BatchKind.EXIT_BY_TOKEN, created_by=advisor.id, request_hash="0" * 64, token_id=RELIANCE
        )
        session.add(exit_batch)
        await session.flush()
        order = await session.get(Order, filled["rows"][0]["order_id"])
        assert order is not None
        rejected = Order(**{**order.model_dump(exclude={"id"}), "batch_id": exit_batch.id, "execution": "EXIT"})
        rejected.status, rejected.reason = OrderStatus.REJECTED, "RMS: rejected"
        session.add(rejected)
        await session.commit()
        exit_id = exit_batch.id
    refused = await retry(http, advisor, exit_id, key="exit")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "RETRY_NOT_SUPPORTED"
    assert "exit-by-token again" in refused.json()["error"]["message"]


async def test_only_the_batch_owner_or_an_admin_retries(
    http: httpx.AsyncClient,
    advisor: Actor,
    other_advisor: Actor,
    viewer: Actor,
    admin: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    batch = await run_batch(http, advisor, body_for([poor]))
    theirs = await retry(http, other_advisor, batch["batch_id"])
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "BATCH_NOT_FOUND"
    assert (await retry(http, viewer, batch["batch_id"])).status_code == 403
    missing = await retry(http, advisor, 999999)
    assert missing.status_code == 404
    by_admin = await retry(http, admin, batch["batch_id"])
    assert by_admin.status_code == 202
    assert [row["client_id"] for row in by_admin.json()["rows"]] == [poor.id]


async def test_a_halt_refuses_the_retry_and_sends_nothing(
    http: httpx.AsyncClient, advisor: Actor, admin: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [poor] = await make_clients(advisor, 1, cash=Decimal("1000"), prefix="POOR")
    await sim.price(RELIANCE, "1400.00")
    batch = await run_batch(http, advisor, body_for([poor]))
    halt = await http.post("/api/v1/risk/halt", json={"scope": "firm", "reason": "fat finger"}, headers=admin.headers)
    assert halt.status_code == 200
    sent = record_sends(sim)
    refused = await retry(http, advisor, batch["batch_id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "TRADING_HALTED"
    assert sent == []
    assert (await wait(http, advisor, batch["batch_id"]))["retries"] == []
