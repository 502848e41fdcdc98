"""Batch intents written in chunks: each row committed before it is sent, sending under way before the last chunk
is written, progress never done early, one audit event per batch on an intact chain, a failed chunk shown, and the
rows a dead writer never wrote closed by reconciliation."""

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.brokers.base import BrokerAccount, BrokerOrderAck, BrokerOrderRequest
from app.context import AppContext
from app.models import AuditEvent, Order
from app.realtime import events
from app.services import audit, batches, intents
from app.services.dispatch import order_id_from_tag
from app.services.reconcile import reconcile
from tests.conftest import Actor, MakeClients, Simulator, place_order

RELIANCE = 2885
CLIENTS, CHUNK = 25, 10  # three chunks: 10, 10 and 5 rows


def body_for(clients: Sequence) -> dict:
    return {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "INTRADAY",
        "allocations": [{"client_id": c.id, "quantity": 1} for c in clients],
    }


async def wait_batch(http: httpx.AsyncClient, actor: Actor, batch_id: int) -> dict:
    response = await http.get(f"/api/v1/batches/{batch_id}", params={"wait": "true"}, headers=actor.headers)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intents, "CHUNK_ROWS", CHUNK)


class ChunkGate:
    """Wraps the chunk writer: records each chunk's rows and can hold a chunk until something has happened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.before: dict[int, asyncio.Event] = {}  # chunk number -> released when this is set
        self.held_too_long: list[int] = []
        self.fail_at: int | None = None
        self.waiting = asyncio.Event()  # a held chunk has arrived and waits for its release
        real = batches.insert_intents

        async def insert(session, batch_id: int, orders: Sequence[Order]) -> None:  # type: ignore[no-untyped-def]
            self.calls += 1
            number = self.calls
            if number in self.before:
                self.waiting.set()
                try:
                    await asyncio.wait_for(self.before[number].wait(), 5)
                except TimeoutError:
                    self.held_too_long.append(number)
            if number == self.fail_at:
                raise RuntimeError("chunk write failed")
            await real(session, batch_id, orders)

        monkeypatch.setattr(batches, "insert_intents", insert)


async def test_each_row_is_committed_before_it_is_sent_and_sending_starts_before_the_last_chunk(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = await make_clients(advisor, CLIENTS)
    await sim.price(RELIANCE, "100.00")
    broker = sim.broker
    real_place = broker.place_order
    first_sent = asyncio.Event()
    unwritten_when_sent: list[str] = []
    sent: list[str] = []

    async def place(account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        # Looked up from another connection: only a committed row is visible there.
        async with ctx.sessions() as session:
            found = await session.scalar(select(Order.id).where(Order.id == order_id_from_tag(req.tag)))
        if found is None:
            unwritten_when_sent.append(req.tag)
        sent.append(req.tag)
        first_sent.set()
        return await real_place(account, req)

    broker.place_order = place  # type: ignore[method-assign]
    gate = ChunkGate(monkeypatch)
    # The last chunk is written only once an earlier chunk's order has reached the broker.
    gate.before[3] = first_sent

    response = await http.post("/api/v1/orders/execute-all", json=body_for(clients), headers=advisor.headers)
    assert response.status_code == 202, response.text
    batch = await wait_batch(http, advisor, response.json()["batch_id"])

    assert gate.calls == 3
    assert gate.held_too_long == [], "no order was sent until every chunk was written"
    assert unwritten_when_sent == []
    assert len(sent) == len(set(sent)) == CLIENTS
    assert batch["status"] == "COMPLETED"
    assert batch["counts"]["filled"] == CLIENTS and batch["counts"]["total"] == CLIENTS


async def test_progress_is_not_done_while_later_chunks_are_unwritten(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = await make_clients(advisor, CLIENTS)
    await sim.price(RELIANCE, "100.00")
    progress: list[dict] = []
    first_chunk_done = asyncio.Event()
    mid_write: list[dict] = []
    done_claims: list[int] = []
    said_done = asyncio.Event()

    async def listen(event: str, room: str, payload: dict) -> None:
        if event == events.BATCH_PROGRESS:
            progress.append(payload)
            if payload["done"] == payload["total"]:
                # Said done: then every planned row is written and has its verdict.
                async with ctx.sessions() as session:
                    verdicts = await session.scalar(
                        select(func.count()).where(Order.batch_id == payload["batch_id"], Order.status != "PENDING")
                    )
                done_claims.append(verdicts)
                said_done.set()
            if sum(1 for p in progress if p["status"] != "PENDING") >= CHUNK:
                first_chunk_done.set()

    ctx.events.subscribe(listen)
    real_insert = batches.insert_intents
    calls: list[int] = []

    async def insert_and_look(session, batch_id: int, orders: Sequence[Order]) -> None:  # type: ignore[no-untyped-def]
        calls.append(batch_id)
        if len(calls) == 2:
            # Held until every row of the first chunk has its verdict; the other fifteen are not written yet.
            await asyncio.wait_for(first_chunk_done.wait(), 5)
            async with ctx.sessions() as other:
                stored = await other.get(batches.Batch, batch_id)
                assert stored is not None
                mid_write.append((await batches.batch_out(other, stored)).model_dump(mode="json"))
        await real_insert(session, batch_id, orders)

    monkeypatch.setattr(batches, "insert_intents", insert_and_look)
    try:
        response = await http.post("/api/v1/orders/execute-all", json=body_for(clients), headers=advisor.headers)
        assert response.status_code == 202, response.text
        batch = await wait_batch(http, advisor, response.json()["batch_id"])
        # The waiting request may answer before the last progress event has reached this listener.
        await asyncio.wait_for(said_done.wait(), 5)
    finally:
        ctx.events.unsubscribe(listen)

    [seen] = mid_write
    assert seen["status"] == "RUNNING"
    assert seen["counts"]["total"] == CLIENTS and seen["counts"]["pending"] == CLIENTS - CHUNK
    assert all(p["total"] == CLIENTS for p in progress)
    assert done_claims and set(done_claims) == {CLIENTS}
    assert batch["status"] == "COMPLETED" and batch["counts"]["filled"] == CLIENTS


async def test_one_audit_event_per_batch_lists_every_row_and_the_chain_verifies(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    small_chunks: None,
) -> None:
    clients = await make_clients(advisor, CLIENTS)
    await sim.price(RELIANCE, "100.00")
    # Single orders and two batches at once: their audit appends interleave with the chunks on one chain.
    responses = await asyncio.gather(
        http.post("/api/v1/orders/execute-all", json=body_for(clients), headers=advisor.headers),
        http.post("/api/v1/orders/execute-all", json=body_for(clients[:12]), headers=advisor.headers),
        *(place_order(http, advisor.headers, client_id=c.id, token_id=RELIANCE, quantity=1) for c in clients[:5]),
    )
    assert [r.status_code for r in responses] == [202, 202, 201, 201, 201, 201, 201]
    for response in responses[:2]:
        await wait_batch(http, advisor, response.json()["batch_id"])

    async with ctx.sessions() as session:
        for response, size in zip(responses[:2], (CLIENTS, 12), strict=True):
            batch_id = response.json()["batch_id"]
            order_ids = list(await session.scalars(select(Order.id).where(Order.batch_id == batch_id)))
            [event] = list(
                await session.scalars(
                    select(AuditEvent).where(AuditEvent.entity_type == "batch", AuditEvent.entity_id == str(batch_id))
                )
            )
            assert event.action == "batch.execute_all"
            assert len(order_ids) == size
            assert sorted(event.payload["order_ids"]) == sorted(order_ids)
        report = await audit.verify_chain(session)
        events_count = await session.scalar(select(func.count()).select_from(AuditEvent))
    assert report.ok, report
    assert report.checked == events_count


async def test_a_chunk_that_cannot_be_written_is_shown_failed_and_nothing_of_it_is_sent(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = await make_clients(advisor, CLIENTS, cash=Decimal("1000000"))
    await sim.price(RELIANCE, "100.00")
    broker = sim.broker
    real_place = broker.place_order
    sent: list[str] = []

    async def place(account: BrokerAccount, req: BrokerOrderRequest) -> BrokerOrderAck:
        sent.append(req.tag)
        return await real_place(account, req)

    broker.place_order = place  # type: ignore[method-assign]
    gate = ChunkGate(monkeypatch)
    gate.fail_at = 2

    response = await http.post("/api/v1/orders/execute-all", json=body_for(clients), headers=advisor.headers)
    assert response.status_code == 202, response.text
    batch = await wait_batch(http, advisor, response.json()["batch_id"])

    rows = {row["client_id"]: row for row in batch["rows"]}
    assert [rows[c.id]["status"] for c in clients[:CHUNK]] == ["FILLED"] * CHUNK
    for client in clients[CHUNK:]:
        assert rows[client.id]["status"] == "FAILED" and rows[client.id]["order_id"] is None
        assert rows[client.id]["reason"].startswith("NOT_WRITTEN")
    assert batch["status"] == "COMPLETED"
    assert batch["counts"]["total"] == CLIENTS and batch["counts"]["failed"] == CLIENTS - CHUNK
    async with ctx.sessions() as session:
        written = await session.scalar(select(func.count()).select_from(Order))
        report = await audit.verify_chain(session)
    assert written == CHUNK
    assert sorted(sent) == sorted(f"MD{rows[c.id]['order_id']}" for c in clients[:CHUNK])
    assert report.ok


async def test_a_writer_that_dies_between_chunks_leaves_its_unwritten_rows_failed_after_reconciliation(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    ctx: AppContext,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process that dies after its first chunk would leave the batch pending for ever; reconciliation closes the
    rows never written (nothing was sent for them), and a writer that was only stalled finds the batch closed and
    writes nothing more."""
    clients = await make_clients(advisor, CLIENTS, cash=Decimal("1000000"))
    await sim.price(RELIANCE, "100.00")
    gate = ChunkGate(monkeypatch)
    release = gate.before[2] = asyncio.Event()
    request = asyncio.create_task(
        http.post("/api/v1/orders/execute-all", json=body_for(clients), headers=advisor.headers)
    )
    await asyncio.wait_for(gate.waiting.wait(), 10)
    async with ctx.sessions() as session:
        batch_id = await session.scalar(select(Order.batch_id).limit(1))
    for _ in range(200):
        response = await http.get(f"/api/v1/batches/{batch_id}", headers=advisor.headers)
        if response.json()["counts"]["filled"] == CHUNK:
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the first chunk's orders did not fill")

    report = await reconcile(ctx, pending_older_than=timedelta(0), failed_older_than=timedelta(0))
    assert report.unwritten_batches == [batch_id]
    batch = await wait_batch(http, advisor, batch_id)
    rows = {row["client_id"]: row for row in batch["rows"]}
    assert [rows[c.id]["status"] for c in clients[:CHUNK]] == ["FILLED"] * CHUNK
    for client in clients[CHUNK:]:
        assert rows[client.id]["status"] == "FAILED" and rows[client.id]["order_id"] is None
        assert rows[client.id]["reason"].startswith("NOT_WRITTEN")
    assert batch["status"] == "COMPLETED" and batch["counts"]["total"] == CLIENTS

    release.set()
    response = await asyncio.wait_for(request, 10)
    assert response.status_code == 202, response.text
    again = await wait_batch(http, advisor, batch_id)
    assert len(again["rows"]) == CLIENTS and again["counts"]["failed"] == CLIENTS - CHUNK
    async with ctx.sessions() as session:
        written = await session.scalar(select(func.count()).select_from(Order))
        chain = await audit.verify_chain(session)
    assert written == CHUNK and gate.held_too_long == []
    assert chain.ok
