"""Demat holdings everywhere a position is (simulator): the portfolio shows them with their P&L, the holders of a
token include them, and exit-by-token sells them with a DELIVERY sell, saying on each row what it closed, without
ever selling more than is held (twice at once, or beside a working exit)."""

import asyncio
from decimal import Decimal

import httpx

from tests.conftest import Actor, MakeClients, Simulator, wait_for_trades
from tests.test_execute_all import RELIANCE, wait_batch
from tests.test_exit_concurrency import settle
from tests.test_exits import buy_for

URL = f"/api/v1/trades/exit-by-token/{RELIANCE}"


async def holders(http: httpx.AsyncClient, actor: Actor) -> list[tuple[int, str, int, int]]:
    rows = (await http.get(f"/api/v1/tokens/{RELIANCE}/holders", headers=actor.headers)).json()
    return sorted((h["client_id"], h["trade_type"], h["net_quantity"], h["held_quantity"]) for h in rows)


async def exit_all(http: httpx.AsyncClient, actor: Actor, key: str, **body: object) -> dict:
    response = await http.post(URL, json=body, headers={**actor.headers, "Idempotency-Key": key})
    assert response.status_code == 202, response.text
    return await wait_batch(http, actor, response.json()["batch_id"])


async def test_exit_by_token_sells_holdings_as_delivery_beside_intraday_positions_and_says_what_it_closed(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    a, b, c = await make_clients(advisor, 3)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, [a, b], [10, 20], "DELIVERY")
    sim.next_trading_day()  # settled: holdings of 10 and 20
    await buy_for(http, advisor, [a], [5], "INTRADAY")
    await buy_for(http, advisor, [b, c], [4, 3], "DELIVERY")  # today's: positions, not yet holdings

    assert await holders(http, advisor) == sorted(
        [
            (a.id, "DELIVERY", 10, 10),
            (a.id, "INTRADAY", 5, 0),
            (b.id, "DELIVERY", 24, 20),
            (c.id, "DELIVERY", 3, 0),
        ]
    )

    await sim.price(RELIANCE, "1410.00")
    batch = await exit_all(http, advisor, "exit-holdings")
    rows = sorted((r["client_id"], r["trade_type"], r["status"], r["quantity"], r["closes"]) for r in batch["rows"])
    assert rows == sorted(
        [
            (a.id, "DELIVERY", "FILLED", 10, "HOLDING"),
            (a.id, "INTRADAY", "FILLED", 5, "POSITION"),
            (b.id, "DELIVERY", "FILLED", 24, "HOLDING_AND_POSITION"),
            (c.id, "DELIVERY", "FILLED", 3, "POSITION"),
        ]
    )
    orders = (await http.get("/api/v1/orders", params={"limit": 100}, headers=advisor.headers)).json()["items"]
    exits = {(o["client_id"], o["trade_type"]): o["side"] for o in orders if o["execution"] == "EXIT"}
    assert set(exits.values()) == {"SELL"}
    # The holdings leave the demat account when the sales settle; until then nothing is left to sell.
    assert await holders(http, advisor) == []
    again = await exit_all(http, advisor, "exit-again")
    assert {(r["status"], r["reason"]) for r in again["rows"]} == {("SKIPPED", "no position or holding in RELIANCE")}


async def test_the_portfolio_shows_holdings_with_their_pnl_and_funds_per_segment(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, [client], [10], "DELIVERY")
    sim.next_trading_day()
    await sim.price(RELIANCE, "1450.00")

    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    assert portfolio["positions"] == []
    assert portfolio["holdings"] == [
        {
            "token_id": RELIANCE,
            "symbol": "RELIANCE",
            "exchange": "NSE",
            "quantity": 10,
            "average_price": "1400.00",
            "last_price": "1450.00",
            "unrealised_pnl": "500.00",
        }
    ]
    summary = portfolio["summary"]
    cash = Decimal(summary["cash"])
    assert [(s["segment"], Decimal(s["available"]), Decimal(s["used"])) for s in summary["segments"]] == [
        ("CASH", cash, Decimal(0)),
        ("FO", cash, Decimal(0)),
    ]


async def test_two_exits_at_once_never_sell_more_than_the_holding(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    await sim.configure(sim_latency_ms=150, sim_latency_jitter_ms=0)  # each exit reads before another fills
    clients = await make_clients(advisor, 2)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, clients, [10, 10], "DELIVERY")
    trades = await wait_for_trades(http, advisor, 2)
    sim.next_trading_day()
    assert await holders(http, advisor) == sorted((c.id, "DELIVERY", 10, 10) for c in clients)
    first = next(t for t in trades if t["client_id"] == clients[0].id)

    responses = await asyncio.gather(
        http.post(URL, json={}, headers=advisor.headers),
        http.post(URL, json={}, headers={**advisor.headers, "Idempotency-Key": "h-a"}),
        http.post(f"/api/v1/trades/{first['id']}/exit", json={}, headers=advisor.headers),
    )
    assert all(r.status_code in (201, 202, 409) for r in responses), [r.text for r in responses]
    await settle(http, advisor, responses)
    orders = (await http.get("/api/v1/orders", params={"limit": 100}, headers=advisor.headers)).json()["items"]
    for client in clients:
        sold = sum(o["filled_quantity"] for o in orders if o["client_id"] == client.id and o["execution"] == "EXIT")
        assert sold == 10, (client.id, sold)
    assert await holders(http, advisor) == []


async def test_a_working_exit_of_a_holding_leaves_nothing_for_the_next_exit_to_sell(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator
) -> None:
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    await buy_for(http, advisor, [client], [10], "DELIVERY")
    sim.next_trading_day()

    resting = await exit_all(http, advisor, "rest", order_type="LIMIT", price="2000.00")
    assert [(r["status"], r["quantity"], r["closes"]) for r in resting["rows"]] == [("OPEN", 10, "HOLDING")]
    second = await exit_all(http, advisor, "second")
    [row] = second["rows"]
    assert (row["status"], row["trade_type"], row["closes"]) == ("SKIPPED", "DELIVERY", "HOLDING")
    assert row["reason"].startswith("ALREADY_EXITING: working exit orders already close all 10 of the demat holding")
