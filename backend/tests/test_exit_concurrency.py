"""Exits that overlap never sell the same shares twice (DESIGN.md §7 "Exits never overshoot").

Exit-by-token twice (no key, different keys), a trade exit and an exit-by-token for a subset of clients, all at
once against a broker that takes a while to answer: each client must end flat, never short. A resting LIMIT exit
counts as working: a second exit has nothing left to sell until it is cancelled.
"""

import asyncio

import httpx

from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order, wait_for_trades
from tests.test_execute_all import RELIANCE, wait_batch
from tests.test_exits import buy_for


async def holdings(http: httpx.AsyncClient, actor: Actor) -> dict[tuple[int, str], int]:
    holders = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=actor.headers)).json()
    return {(h["client_id"], h["trade_type"]): h["net_quantity"] for h in holders}


async def order_filled(http: httpx.AsyncClient, actor: Actor, order_id: int) -> bool:
    return (await http.get(f"/api/v1/orders/{order_id}", headers=actor.headers)).json()["status"] == "FILLED"


async def settle(http: httpx.AsyncClient, actor: Actor, responses: list[httpx.Response]) -> None:
    """Every batch among the answers has a verdict on each row."""
    for response in responses:
        if response.status_code == 202:
            await wait_batch(http, actor, response.json()["batch_id"])


async def test_overlapping_exits_leave_every_client_flat_never_short(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    # Every order takes a while at the broker, so each exit reads the positions before any other exit has filled.
    await sim.configure(sim_latency_ms=150, sim_latency_jitter_ms=0)
    clients = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients, [10, 10, 10], "INTRADAY")
    trades = await wait_for_trades(http, advisor, 3)
    first_trade = next(t for t in trades if t["client_id"] == clients[0].id)

    url = f"/api/v1/trades/exit-by-token/{RELIANCE}"
    responses = await asyncio.gather(
        http.post(url, json={}, headers=advisor.headers),
        http.post(url, json={}, headers={**advisor.headers, "Idempotency-Key": "exit-a"}),
        http.post(url, json={}, headers={**advisor.headers, "Idempotency-Key": "exit-b"}),
        http.post(f"/api/v1/trades/{first_trade['id']}/exit", json={}, headers=advisor.headers),
        http.post(url, json={"client_ids": [clients[1].id]}, headers=advisor.headers),
    )
    assert all(r.status_code in (201, 202, 409) for r in responses), [r.text for r in responses]
    await settle(http, advisor, responses)

    # Flat positions are no longer holdings; a short one (-10, -20) would be.
    assert await holdings(http, advisor) == {}
    orders = (await http.get("/api/v1/orders", params={"limit": 100}, headers=advisor.headers)).json()["items"]
    sold = {
        c.id: sum(o["filled_quantity"] for o in orders if o["client_id"] == c.id and o["execution"] == "EXIT")
        for c in clients
    }
    assert sold == {c.id: 10 for c in clients}
    # The exits that found nothing left say why, instead of sending a second order.
    skipped = [
        row
        for r in responses
        if r.status_code == 202
        for row in (await wait_batch(http, advisor, r.json()["batch_id"]))["rows"]
        if row["status"] == "SKIPPED"
    ]
    assert skipped and all(row["reason"].startswith(("ALREADY_EXITING", "no position")) for row in skipped)


async def test_a_resting_limit_exit_is_working_until_cancelled(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    clients = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients, [10], "DELIVERY")
    (trade,) = await wait_for_trades(http, advisor, 1)
    # Far above the market: the exit rests at the broker.
    limit = {"order_type": "LIMIT", "price": "1500.00"}
    url = f"/api/v1/trades/exit-by-token/{RELIANCE}"

    first = await http.post(url, json=limit, headers=advisor.headers)
    (resting,) = (await wait_batch(http, advisor, first.json()["batch_id"]))["rows"]
    assert (resting["status"], resting["quantity"]) == ("OPEN", 10)

    second = await http.post(url, json=limit, headers=advisor.headers)
    (row,) = (await wait_batch(http, advisor, second.json()["batch_id"]))["rows"]
    assert (row["status"], row["order_id"]) == ("SKIPPED", None)
    assert row["reason"].startswith("ALREADY_EXITING")
    one = await http.post(f"/api/v1/trades/{trade['id']}/exit", json=limit, headers=advisor.headers)
    assert one.status_code == 409 and one.json()["error"]["code"] == "ALREADY_EXITING"

    # Cancelled, the resting exit no longer covers the position: the next exit sells all of it again.
    cancel = await http.post(f"/api/v1/orders/{resting['order_id']}/cancel", headers=advisor.headers)
    assert cancel.json()["status"] == "CANCELLED"
    again = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert again.status_code == 201, again.text
    assert (again.json()["status"], again.json()["quantity"]) == ("FILLED", 10)
    assert await holdings(http, advisor) == {}


async def test_a_partly_filled_exit_covers_only_what_it_has_left(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    # The market takes 4 shares at a time: an order of 10 fills 4 at each price move.
    await sim.configure(sim_liquidity_per_tick=4)
    clients = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    bought = await place_order(http, advisor.headers, client_id=clients[0].id, quantity=10, trade_type="DELIVERY")
    for _ in range(2):
        await sim.price(RELIANCE, "1400.00")
    await eventually(lambda: order_filled(http, advisor, bought.json()["id"]))
    trade = (await wait_for_trades(http, advisor, 3))[0]
    partial = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert (partial.json()["status"], partial.json()["filled_quantity"]) == ("PARTIALLY_FILLED", 4)
    assert await holdings(http, advisor) == {(clients[0].id, "DELIVERY"): 6}

    again = await http.post(f"/api/v1/trades/{trade['id']}/exit", json={}, headers=advisor.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_EXITING"
