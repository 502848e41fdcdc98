"""Rooms: order updates reach the client's owner (and admins/viewers), batch progress reaches who may see the batch."""

import asyncio

import httpx

from tests.conftest import Actor, MakeClients, Simulator
from tests.realtime.conftest import Connect
from tests.realtime.test_socket_auth import token_of

RELIANCE = 2885


async def place(http: httpx.AsyncClient, actor: Actor, client_id: int) -> int:
    body = {
        "client_id": client_id,
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "quantity": 3,
    }
    response = await http.post("/api/v1/orders/place", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_an_advisor_never_hears_another_advisors_clients(
    connect: Connect,
    http: httpx.AsyncClient,
    advisor: Actor,
    other_advisor: Actor,
    viewer: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    [mine] = await make_clients(advisor, 1, prefix="A")
    [theirs] = await make_clients(other_advisor, 1, prefix="B")
    await sim.price(RELIANCE, "1400.00")
    a = await connect(token_of(advisor))
    b = await connect(token_of(other_advisor))
    v = await connect(token_of(viewer))

    theirs_order = await place(http, other_advisor, theirs.id)
    [update] = (await b.wait_for("order_update", id=theirs_order, status="FILLED"))[-1:]
    assert update["client_id"] == theirs.id
    await v.wait_for("order_update", id=theirs_order, status="FILLED")

    refused = await a.call("watch_clients", {"client_ids": [mine.id, theirs.id]})
    assert refused == {
        "ok": False,
        "error": {
            "code": "CLIENT_NOT_FOUND",
            "message": "No client with these ids.",
            "details": {"client_ids": [theirs.id]},
        },
    }
    second = await place(http, other_advisor, theirs.id)
    mine_order = await place(http, advisor, mine.id)
    await a.wait_for("order_update", id=mine_order, status="FILLED")
    await b.wait_for("order_update", id=second, status="FILLED")
    await asyncio.sleep(0.2)
    assert {e["client_id"] for e in a.received("order_update")} == {mine.id}
    assert {e["client_id"] for e in a.received("position_update")} == {mine.id}
    assert {e["client_id"] for e in b.received("order_update")} == {theirs.id}
    assert {e["client_id"] for e in v.received("order_update")} == {mine.id, theirs.id}


async def test_watch_clients_joins_a_client_created_after_connect(
    connect: Connect, http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    await sim.price(RELIANCE, "1400.00")
    a = await connect(token_of(advisor))
    [late] = await make_clients(advisor, 1, prefix="LATE")
    before = await place(http, advisor, late.id)
    await asyncio.sleep(0.3)
    assert a.received("order_update", id=before) == []

    assert await a.call("watch_clients", {"client_ids": [late.id]}) == {"ok": True, "client_ids": [late.id]}
    after = await place(http, advisor, late.id)
    await a.wait_for("order_update", id=after, status="FILLED")
    invalid = await a.call("watch_clients", {"client_ids": ["1"]})
    assert invalid["ok"] is False and invalid["error"]["code"] == "INVALID_REQUEST"


async def test_batch_progress_reports_every_row_of_an_execute_all(
    connect: Connect,
    http: httpx.AsyncClient,
    advisor: Actor,
    other_advisor: Actor,
    admin: Actor,
    make_clients: MakeClients,
    sim: Simulator,
) -> None:
    clients = await make_clients(advisor, 3)
    # The broker answers after 500 ms, so the batch is still running when the watcher joins its room.
    await sim.configure(sim_latency_ms=500.0)
    await sim.price(RELIANCE, "1400.00")
    desk = await connect(token_of(advisor))
    watcher = await connect(token_of(advisor))
    stranger = await connect(token_of(other_advisor))
    boss = await connect(token_of(admin))
    body = {
        "token_id": RELIANCE,
        "execution": "BUY",
        "order_type": "MARKET",
        "trade_type": "DELIVERY",
        "allocations": [{"client_id": c.id, "quantity": 5} for c in clients],
    }
    response = await http.post("/api/v1/orders/execute-all", json=body, headers=advisor.headers)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]

    ack = await watcher.call("watch_batch", {"batch_id": batch_id})
    assert ack["ok"] is True and (ack["done"], ack["total"]) == (0, 3)
    refused = await stranger.call("watch_batch", {"batch_id": batch_id})
    assert refused["ok"] is False and refused["error"]["code"] == "BATCH_NOT_FOUND"
    assert (await boss.call("watch_batch", {"batch_id": batch_id}))["ok"] is True

    await watcher.wait_for("batch_progress", count=3, batch_id=batch_id)
    await asyncio.sleep(0.2)
    progress = watcher.received("batch_progress", batch_id=batch_id)
    assert len(progress) == 3, progress
    assert sorted(p["client_id"] for p in progress) == sorted(c.id for c in clients)
    assert all(p["status"] == "FILLED" and p["total"] == 3 for p in progress)
    # Rows resolve concurrently, so several may report the same count; the count reaches the total.
    assert all(1 <= p["done"] <= 3 for p in progress) and max(p["done"] for p in progress) == 3
    assert len(boss.received("batch_progress", batch_id=batch_id)) == 3
    # The desk did not watch the batch, but hears every row's order through its clients' rooms.
    assert desk.received("batch_progress") == []
    filled = {e["client_id"] for e in desk.received("order_update", batch_id=batch_id, status="FILLED")}
    assert filled == {c.id for c in clients}
    assert stranger.received("batch_progress") == [] and stranger.received("order_update") == []
