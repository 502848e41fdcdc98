"""Crash safety (issue 8): SIGKILL the real server in the middle of an execute-all, restart it, and check the books.

The server runs as its own process (`python -m app.cli serve`) on a fresh data dir with the simulator's journal
on, so the simulated broker's books outlive the process as a real broker's would. An execute-all for 200 clients
runs against a slow simulator (latency, few calls in flight, some injected rejects and lost answers); once some
rows have a verdict and others do not, the process is killed. Restarted on the same data dir and database,
reconciliation must give every row a final state, and the broker (the replayed journal) must hold each intended
order at most once: every FILLED row exactly once, no REJECTED or NOT_AT_BROKER row, nothing without a row.
The positions and fills the API reports must be the broker's.

On PostgreSQL (MULTIDESK_TEST_DATABASE_URL) the server gets a scratch database of its own (tests/live_server.py).
"""

import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from app.brokers.simulator.book import SimOrder
from app.brokers.simulator.journal import Journal
from app.enums import CLOSED_STATUSES, OrderStatus
from app.models import Order
from app.services.demo import ADVISOR_EMAIL, ADVISOR_PASSWORD
from app.services.reconcile import NOT_AT_BROKER
from tests.live_server import Server, poll, scratch_database

RELIANCE = 2885
CLIENTS = 200
# Rows with a verdict when the process is killed: enough for every kind of row to be there, far from all 200.
KILL_AFTER_DONE = 60
# The broker call timeout, short so that PENDING rows are old enough to reconcile soon after the restart
# (reconciliation leaves a PENDING row alone for 2 x timeout + 5 s: a live request may still be sending it).
CALL_TIMEOUT_S = 0.5

SERVER_SETTINGS = {
    # Demo mode seeds the advisor and its clients and keeps the generated secrets in the data dir, so the
    # restarted server accepts the first one's tokens.
    "MULTIDESK_DEMO_MODE": "true",
    "MULTIDESK_DEMO_CLIENT_COUNT": str(CLIENTS),
    "MULTIDESK_SIM_PERSIST": "true",
    "MULTIDESK_SIM_ALWAYS_OPEN": "true",
    "MULTIDESK_SIM_SEED": "8",
    # About 2.5 s for the batch: 200 calls of 50 +- 25 ms, four at a time.
    "MULTIDESK_SIM_LATENCY_MS": "50",
    "MULTIDESK_SIM_LATENCY_JITTER_MS": "25",
    "MULTIDESK_BROKER_CONCURRENCY": "4",
    "MULTIDESK_BROKER_CALL_TIMEOUT_S": str(CALL_TIMEOUT_S),
    # Rejected rows, and FAILED rows whose order the broker took but whose answer was lost.
    "MULTIDESK_SIM_REJECT_RATE": "0.05",
    "MULTIDESK_SIM_TIMEOUT_RATE": "0.15",
    # A MARKET order killed between its acceptance and its fill in the journal fills on the next tick.
    "MULTIDESK_SIM_TICK_INTERVAL_S": "0.5",
    "MULTIDESK_RECONCILE_INTERVAL_S": "0.5",
    # The killed process held the runner lease: the restart runs the periodic passes once it lapses.
    "MULTIDESK_RUNNER_LEASE_TTL_S": "2",
    # It may also have been killed inside a reconciliation pass, holding that pass's lease: the restart's own
    # start-up pass is skipped while it is held, and the periodic one waits for it to lapse.
    "MULTIDESK_LEASE_TTL_S": "3",
    # FAILED rows stay FAILED until the restart's start-up pass settles them, so the crash leaves some behind.
    "MULTIDESK_RECONCILE_FAILED_AFTER_S": "60",
    "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
}


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with scratch_database(tmp_path, "crash") as url:
        yield url


@pytest.fixture
async def server(tmp_path: Path, database_url: str) -> AsyncIterator[Server]:
    started = Server(tmp_path, database_url, SERVER_SETTINGS)
    yield started
    if started.running:
        await started.kill()


@dataclass
class BrokerBooks:
    """The simulator's books as its journal has them, with every acceptance counted by tag."""

    accepted: Counter[str]
    orders: dict[str, tuple[int, SimOrder]]  # tag -> (client id, order)
    filled: dict[str, list[tuple[int, Decimal]]]  # tag -> [(quantity, price)]

    @classmethod
    def read(cls, path: Path) -> "BrokerBooks":
        events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        # Counted from the raw events: a second acceptance of one tag is the doubled order this test hunts.
        accepted = Counter(event["tag"] for event in events if event["ev"] == "accept")
        journal, recovered = Journal.open(path)
        journal.close()
        orders: dict[str, tuple[int, SimOrder]] = {}
        filled: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
        for client_id, account in recovered.accounts.items():
            orders |= {order.tag: (client_id, order) for order in account.orders.values()}
            for trade in account.trades:
                filled[trade.tag].append((trade.quantity, trade.price))
        return cls(accepted, orders, filled)


@dataclass(frozen=True)
class AtKill:
    status: OrderStatus
    reason: str | None

    @property
    def lost_after_acceptance(self) -> bool:
        """A FAILED row whose answer the simulator dropped after taking the order (as opposed to our own call
        timeout firing first on a loaded machine, after which the broker may or may not have the order)."""
        return self.status is OrderStatus.FAILED and "simulated timeout" in (self.reason or "")


async def statuses_in_database(url: str, batch_id: int) -> dict[int, AtKill]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(Order.id, Order.status, Order.reason).where(Order.batch_id == batch_id)
            )
            return {order_id: AtKill(OrderStatus(status), reason) for order_id, status, reason in rows.all()}
    finally:
        await engine.dispose()


async def all_trades(http: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    trades: list[dict[str, Any]] = []
    while True:
        page = (await http.get(f"{url}/api/v1/trades", params={"limit": 500, "offset": len(trades)})).json()
        trades += page["items"]
        if len(trades) >= page["total"]:
            return trades


async def test_sigkill_mid_batch_then_restart_leaves_every_order_at_the_broker_once(server: Server) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        await server.start(http)
        login = await http.post(
            f"{server.url}/api/v1/auth/login", json={"email": ADVISOR_EMAIL, "password": ADVISOR_PASSWORD}
        )
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        clients = (await http.get(f"{server.url}/api/v1/clients", params={"limit": 1000})).json()["items"]
        assert len(clients) == CLIENTS
        # Different quantities per client, so a fill booked to the wrong order or client shows.
        quantity = {client["id"]: 1 + index % 5 for index, client in enumerate(clients)}
        body = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "DELIVERY",
            "allocations": [{"client_id": client_id, "quantity": qty} for client_id, qty in quantity.items()],
        }
        started = await http.post(
            f"{server.url}/api/v1/orders/execute-all", json=body, headers={"Idempotency-Key": "crash-1"}
        )
        assert started.status_code == 202, started.text
        batch_id = started.json()["batch_id"]
        batch_url = f"{server.url}/api/v1/batches/{batch_id}"

        async def far_enough() -> bool:
            return (await http.get(batch_url)).json()["counts"]["done"] >= KILL_AFTER_DONE

        await poll(far_enough, within=15, failure=lambda: f"the batch did not get going:\n{server.log_tail()}")
        await server.kill()

        at_kill = await statuses_in_database(server.database_url, batch_id)
        kinds_at_kill = Counter(row.status for row in at_kill.values())
        assert len(at_kill) == CLIENTS
        assert kinds_at_kill[OrderStatus.PENDING] > 0, (
            f"the batch finished before the kill ({kinds_at_kill}); slow the simulator down"
        )
        assert any(row.lost_after_acceptance for row in at_kill.values()), (
            f"no lost answer before the kill: {kinds_at_kill}"
        )

        await server.start(http)
        rows: list[dict[str, Any]] = []

        async def all_final() -> bool:
            nonlocal rows
            rows = (await http.get(batch_url)).json()["rows"]
            return all(OrderStatus(row["status"]) in CLOSED_STATUSES for row in rows)

        await poll(
            all_final,
            within=20,
            failure=lambda: (
                "rows still without a final state after the restart: "
                f"{[(r['order_id'], r['status']) for r in rows if OrderStatus(r['status']) not in CLOSED_STATUSES]}\n"
                f"{server.log_tail()}"
            ),
        )
        filled = sum(row["filled_quantity"] for row in rows)
        trades: list[dict[str, Any]] = []

        async def fills_copied() -> bool:
            nonlocal trades
            trades = await all_trades(http, server.url)
            return sum(trade["quantity"] for trade in trades) >= filled

        # Fills a crash kept from our trade book are copied by a later reconciliation pass than the rows' verdicts.
        await poll(
            fills_copied,
            within=15,
            failure=lambda: (
                f"our trade book holds {sum(t['quantity'] for t in trades)} of the {filled} filled shares\n"
                f"{server.log_tail()}"
            ),
        )
        batch = (await http.get(batch_url)).json()
        holders = (await http.get(f"{server.url}/api/v1/tokens/{RELIANCE}/holders")).json()
    await server.stop()
    books = BrokerBooks.read(server.journal)

    assert batch["status"] == "COMPLETED"
    check_each_order_at_the_broker_once(rows, at_kill, quantity, books)
    check_positions_and_fills(holders, trades, books)


def check_each_order_at_the_broker_once(
    rows: list[dict[str, Any]], at_kill: dict[int, AtKill], quantity: dict[int, int], books: BrokerBooks
) -> None:
    doubled = {tag: count for tag, count in books.accepted.items() if count > 1}
    assert not doubled, f"orders placed at the broker more than once: {doubled}"
    by_tag = {f"MD{row['order_id']}": row for row in rows}
    assert not set(books.orders) - set(by_tag), "broker orders without a row"
    for tag, row in by_tag.items():
        status, before = OrderStatus(row["status"]), at_kill[row["order_id"]]
        if status is OrderStatus.FILLED:
            assert tag in books.orders, f"{tag} is FILLED here but not at the broker"
            client_id, order = books.orders[tag]
            assert client_id == row["client_id"]
            assert order.status is OrderStatus.FILLED
            assert order.filled_quantity == row["filled_quantity"] == quantity[client_id]
            assert Decimal(row["average_price"]) == order.fill_value / order.filled_quantity
        else:
            # The simulator's rejections, like a real broker's, leave nothing in its order book.
            assert tag not in books.orders, f"{tag} is {status} here but the broker has it"
            if status is OrderStatus.CANCELLED:
                assert row["reason"] == NOT_AT_BROKER
            else:
                assert status is OrderStatus.REJECTED and row["reason"].startswith("SIMULATED_REJECT")
        # Nothing moves backwards or sideways across the crash: verdicts stand, an accepted order fills. A row our
        # own call timeout made FAILED may or may not be at the broker; the checks above hold it to the broker's book.
        if before.lost_after_acceptance:
            assert status is OrderStatus.FILLED, f"{tag} was FAILED after acceptance and is {status} now"
        elif before.status is OrderStatus.FAILED:
            assert status in (OrderStatus.FILLED, OrderStatus.CANCELLED), f"{tag} was FAILED and is {status} now"
        elif before.status is not OrderStatus.PENDING:
            assert status is before.status, f"{tag} was {before.status} at the kill and is {status} now"
    finals = Counter(OrderStatus(row["status"]) for row in rows)
    assert finals[OrderStatus.CANCELLED] > 0, f"no row was left unsent by the kill: {finals}"


def check_positions_and_fills(holders: list[dict[str, Any]], trades: list[dict[str, Any]], books: BrokerBooks) -> None:
    """The positions the API reports (read from the broker) and our trade book (copied from it) are its fills."""
    by_client: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for tag, fills in books.filled.items():
        by_client[books.orders[tag][0]] += fills
    expected = {
        client_id: (
            "DELIVERY",
            sum(q for q, _ in fills),
            sum((q * p for q, p in fills), Decimal(0)) / sum(q for q, _ in fills),
        )
        for client_id, fills in by_client.items()
    }
    assert not [h for h in holders if h["error"]], holders
    reported = {h["client_id"]: (h["trade_type"], h["net_quantity"], Decimal(h["average_price"])) for h in holders}
    assert len(reported) == len(holders), "a client holds more than one position"
    assert reported == expected

    copied: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for trade in trades:
        copied[f"MD{trade['order_id']}"].append((trade["quantity"], Decimal(trade["price"])))
    differ = sorted(
        tag
        for tag in copied.keys() | books.filled.keys()
        if sorted(copied.get(tag, [])) != sorted(books.filled.get(tag, []))
    )
    assert not differ, f"{len(differ)} orders' fills differ between the broker and our trade book, e.g. {differ[:5]}"
