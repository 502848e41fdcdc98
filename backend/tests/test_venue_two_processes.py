"""The simulator as one shared venue across backend processes (issue 17): two real servers on one database and one
venue process (`python -m app.cli simulator serve`), each server's simulator adapter calling it over HTTP.

- One set of books: orders placed through either server, for the same clients, are in the same positions and
  funds whichever server is asked, and a resting order the venue fills on its own is recorded once, though the
  update reaches both servers.
- A SIGKILL of one server mid-batch loses nothing: the other reconciles every row to a final state against the
  venue, no order is at the venue twice, FILLED rows are the venue's fills. Then the venue itself is killed and
  started again on its journal: the books the servers report are the same.

On PostgreSQL (MULTIDESK_TEST_DATABASE_URL) the servers get a scratch database of their own (tests/live_server.py).
"""

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.enums import CLOSED_STATUSES, OrderStatus
from app.services.demo import ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.live_server import Server, poll, server_pair, signed_in
from tests.live_venue import VenueProcess, venue
from tests.test_crash_sigkill import (
    BrokerBooks,
    all_trades,
    check_each_order_at_the_broker_once,
    check_positions_and_fills,
    statuses_in_database,
)

pytestmark = pytest.mark.several_processes

RELIANCE = 2885

SERVER_SETTINGS = {
    "MULTIDESK_DEMO_MODE": "true",
    "MULTIDESK_SIM_ALWAYS_OPEN": "true",
    "MULTIDESK_RATE_LIMIT_ORDERS": "1000/minute",
    "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
}


def positions(holders: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((h["client_id"], h["trade_type"], h["net_quantity"], h["average_price"], h["error"]) for h in holders)


async def portfolio(http: httpx.AsyncClient, server: Server, client_id: int) -> dict[str, Any]:
    body = (await http.get(f"{server.url}/api/v1/clients/{client_id}/portfolio")).json()
    return {"summary": body["summary"], "positions": body["positions"]}


async def test_two_servers_through_one_venue_see_one_set_of_books(tmp_path: Path) -> None:
    settings = SERVER_SETTINGS | {"MULTIDESK_DEMO_CLIENT_COUNT": "4", "MULTIDESK_RECONCILE_INTERVAL_S": "60"}
    async with (
        venue(tmp_path / "venue", slippage_bps="0") as running,
        server_pair(tmp_path, "venue1", settings | {"MULTIDESK_SIMULATOR_URL": running.url}) as (a, b),
        httpx.AsyncClient(timeout=30) as http,
    ):
        await a.start(http)
        await b.start(http)
        http.headers.update(await signed_in(http, a, ADVISOR_EMAIL, ADVISOR_PASSWORD))
        clients = [c["id"] for c in (await http.get(f"{a.url}/api/v1/clients")).json()["items"]]
        assert len(clients) == 4

        body = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "INTRADAY",
            "allocations": [{"client_id": client_id, "quantity": 1 + i} for i, client_id in enumerate(clients)],
        }
        batch = await http.post(f"{a.url}/api/v1/orders/execute-all", json=body)
        assert batch.status_code == 202, batch.text
        batch_id = batch.json()["batch_id"]
        for client_id in clients:
            placed = await http.post(
                f"{b.url}/api/v1/orders/place",
                json={
                    **{k: body[k] for k in ("token_id", "execution", "order_type", "trade_type")},
                    "client_id": client_id,
                    "quantity": 10,
                },
            )
            assert placed.status_code == 201 and placed.json()["status"] == "FILLED", placed.text

        async def batch_done() -> bool:
            return (await http.get(f"{b.url}/api/v1/batches/{batch_id}")).json()["status"] == "COMPLETED"

        await poll(batch_done, within=20, failure=lambda: a.log_tail())
        for i, client_id in enumerate(clients):
            seen_by_a, seen_by_b = await portfolio(http, a, client_id), await portfolio(http, b, client_id)
            assert seen_by_a == seen_by_b
            [position] = seen_by_a["positions"]
            assert position["net_quantity"] == 1 + i + 10  # both servers' orders, in one account at the venue

        # A resting order the venue fills on its own: the update reaches both servers, the fill is recorded once.
        price = Decimal(
            (await http.get(f"{a.url}/api/v1/market/quotes", params={"token_ids": RELIANCE})).json()[0]["ltp"]
        )
        resting = await http.post(
            f"{b.url}/api/v1/orders/place",
            json={
                "token_id": RELIANCE,
                "client_id": clients[0],
                "execution": "BUY",
                "order_type": "LIMIT",
                "trade_type": "INTRADAY",
                "quantity": 3,
                "price": str(price - 10),
            },
        )
        assert resting.status_code == 201 and resting.json()["status"] == "OPEN", resting.text
        order_id = resting.json()["id"]
        moved = await http.post(f"{running.url}/prices/{RELIANCE}", json={"price": str(price - 20)})
        assert moved.status_code == 200, moved.text

        async def filled() -> bool:
            return (await http.get(f"{a.url}/api/v1/orders/{order_id}")).json()["status"] == "FILLED"

        await poll(filled, within=10, failure=lambda: b.log_tail())
        trades = [t for t in await all_trades(http, a.url) if t["order_id"] == order_id]
        assert [t["quantity"] for t in trades] == [3]


CLIENTS = 200
KILL_AFTER_DONE = 60
CALL_TIMEOUT_S = 0.5
CRASH_SETTINGS = SERVER_SETTINGS | {
    "MULTIDESK_DEMO_CLIENT_COUNT": str(CLIENTS),
    "MULTIDESK_BROKER_CONCURRENCY": "4",
    "MULTIDESK_BROKER_CALL_TIMEOUT_S": str(CALL_TIMEOUT_S),
    "MULTIDESK_SIMULATOR_TIMEOUT_S": "0.4",
    "MULTIDESK_RECONCILE_INTERVAL_S": "0.5",
    # The surviving server settles FAILED rows (its own and the killed one's) soon, not only at a restart.
    "MULTIDESK_RECONCILE_FAILED_AFTER_S": "1",
    # One server at a time runs reconciliation (the runner's lease and the pass's own): the survivor takes both over
    # soon after the kill, not a default quarter of a minute later.
    "MULTIDESK_LEASE_TTL_S": "3",
    "MULTIDESK_RUNNER_LEASE_TTL_S": "2",
}
# As tests/test_crash_sigkill.py: about 2.5 s for the batch at four calls in flight, some rejects and lost answers.
CRASH_VENUE = {
    "seed": "8",
    "latency_ms": "50",
    "latency_jitter_ms": "25",
    "reject_rate": "0.05",
    "timeout_rate": "0.15",
    "tick_interval_s": "0.5",
}


async def test_sigkill_of_one_server_mid_batch_loses_nothing_and_the_venue_keeps_its_books(tmp_path: Path) -> None:
    running = VenueProcess(tmp_path / "venue", {f"MULTIDESK_SIM_{k.upper()}": v for k, v in CRASH_VENUE.items()})
    await running.start()
    try:
        settings = CRASH_SETTINGS | {"MULTIDESK_SIMULATOR_URL": running.url}
        async with server_pair(tmp_path, "venue2", settings) as (a, b), httpx.AsyncClient(timeout=30) as http:
            await a.start(http)
            await b.start(http)
            http.headers.update(await signed_in(http, a, ADVISOR_EMAIL, ADVISOR_PASSWORD))
            clients = (await http.get(f"{a.url}/api/v1/clients", params={"limit": 1000})).json()["items"]
            assert len(clients) == CLIENTS
            quantity = {client["id"]: 1 + index % 5 for index, client in enumerate(clients)}
            body = {
                "token_id": RELIANCE,
                "execution": "BUY",
                "order_type": "MARKET",
                "trade_type": "DELIVERY",
                "allocations": [{"client_id": client_id, "quantity": qty} for client_id, qty in quantity.items()],
            }
            started = await http.post(f"{a.url}/api/v1/orders/execute-all", json=body)
            assert started.status_code == 202, started.text
            batch_id = started.json()["batch_id"]

            async def far_enough() -> bool:
                counts = (await http.get(f"{b.url}/api/v1/batches/{batch_id}")).json()["counts"]
                return counts["done"] >= KILL_AFTER_DONE

            await poll(far_enough, within=15, failure=lambda: f"the batch did not get going:\n{a.log_tail()}")
            await a.kill()
            at_kill = await statuses_in_database(a.database_url, batch_id)
            kinds_at_kill = Counter(row.status for row in at_kill.values())
            assert kinds_at_kill[OrderStatus.PENDING] > 0, f"the batch finished before the kill ({kinds_at_kill})"

            # Only b is left: its reconciliation settles the killed server's rows against the shared venue.
            rows: list[dict[str, Any]] = []

            async def all_final() -> bool:
                nonlocal rows
                rows = (await http.get(f"{b.url}/api/v1/batches/{batch_id}")).json()["rows"]
                return all(OrderStatus(row["status"]) in CLOSED_STATUSES for row in rows)

            await poll(
                all_final,
                within=40,
                failure=lambda: f"rows without a final state: {Counter(r['status'] for r in rows)}\n{b.log_tail()}",
            )
            filled = sum(row["filled_quantity"] for row in rows)
            trades: list[dict[str, Any]] = []

            async def fills_copied() -> bool:
                nonlocal trades
                trades = await all_trades(http, b.url)
                return sum(trade["quantity"] for trade in trades) >= filled

            await poll(fills_copied, within=15, failure=lambda: b.log_tail())
            holders = (await http.get(f"{b.url}/api/v1/tokens/{RELIANCE}/holders")).json()
            assert (await http.get(f"{b.url}/api/v1/batches/{batch_id}")).json()["status"] == "COMPLETED"

            # The venue dies too, and comes back on its journal with the same books.
            await running.kill()
            books = BrokerBooks.read(running.data_dir / "simulator-journal.jsonl")
            check_each_order_at_the_broker_once(rows, at_kill, quantity, books)
            check_positions_and_fills(holders, trades, books)
            await running.start()

            async def same_books() -> bool:
                again = await http.get(f"{b.url}/api/v1/tokens/{RELIANCE}/holders")
                # The quoted price restarts at the last fill price (journal.py); the positions are the same.
                return again.status_code == 200 and positions(again.json()) == positions(holders)

            await poll(same_books, within=15, failure=lambda: f"books differ after the venue restart\n{b.log_tail()}")
    finally:
        if running.running:
            await running.kill()
