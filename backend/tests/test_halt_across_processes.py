"""A halt committed by one server process stops the batch another process is sending (DESIGN.md §7).

Two real servers share one database. Server B runs an execute-all one slow order at a time; an admin halts the
firm through server A. B's unsent rows must be CANCELLED (HALTED) and never reach B's broker: each send asks the
halt gate, which reads the halts from the database, whichever process wrote them.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.services.demo import ADMIN_EMAIL, ADMIN_PASSWORD, ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.live_server import Server, poll, server_pair, signed_in

pytestmark = pytest.mark.several_processes

RELIANCE = 2885
CLIENTS = 8


SETTINGS = {
    "MULTIDESK_DEMO_MODE": "true",
    "MULTIDESK_DEMO_CLIENT_COUNT": str(CLIENTS),
    "MULTIDESK_SIM_PERSIST": "false",
    "MULTIDESK_SIM_ALWAYS_OPEN": "true",
    "MULTIDESK_SIM_LATENCY_MS": "250",
    "MULTIDESK_SIM_LATENCY_JITTER_MS": "0",
    "MULTIDESK_SIM_REJECT_RATE": "0",
    "MULTIDESK_SIM_TIMEOUT_RATE": "0",
    "MULTIDESK_BROKER_CONCURRENCY": "1",
    "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
}


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[tuple[Server, Server]]:
    async with server_pair(tmp_path, "halt", SETTINGS) as pair:
        yield pair


async def test_a_halt_through_one_process_stops_the_batch_another_is_sending(servers: tuple[Server, Server]) -> None:
    a, b = servers
    async with httpx.AsyncClient(timeout=30) as http:
        await a.start(http)
        await b.start(http)
        advisor = await signed_in(http, b, ADVISOR_EMAIL, ADVISOR_PASSWORD)
        admin = await signed_in(http, a, ADMIN_EMAIL, ADMIN_PASSWORD)
        clients = (await http.get(f"{b.url}/api/v1/clients", headers=advisor)).json()["items"]
        body = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "DELIVERY",
            "allocations": [{"client_id": c["id"], "quantity": 1} for c in clients],
        }
        started = await http.post(f"{b.url}/api/v1/orders/execute-all", json=body, headers=advisor)
        assert started.status_code == 202, started.text
        batch_url = f"{b.url}/api/v1/batches/{started.json()['batch_id']}"

        async def one_done() -> bool:
            return (await http.get(batch_url, headers=advisor)).json()["counts"]["done"] >= 1

        await poll(one_done, within=10, failure=lambda: f"the batch did not start:\n{b.log_tail()}")
        halted = await http.post(f"{a.url}/api/v1/risk/halt", json={"scope": "firm", "reason": "x"}, headers=admin)
        assert halted.status_code == 200, halted.text
        # Rows the halt cancelled count as done too: what matters is how many had filled.
        filled_at_halt = (await http.get(batch_url, headers=advisor)).json()["counts"]["filled"]

        batch = (await http.get(batch_url, params={"wait": "true", "timeout": 30}, headers=advisor)).json()
        holders = (await http.get(f"{b.url}/api/v1/tokens/{RELIANCE}/holders", headers=advisor)).json()

    rows = batch["rows"]
    assert len(rows) == CLIENTS and all(row["status"] in ("FILLED", "CANCELLED") for row in rows), rows
    filled = {row["client_id"] for row in rows if row["status"] == "FILLED"}
    halted_rows = [row for row in rows if row["status"] == "CANCELLED"]
    assert all(row["reason"].startswith("HALTED") for row in halted_rows), halted_rows
    # After the halt answered, at most the one order then at B's broker was still answered.
    assert len(filled) <= filled_at_halt + 1
    assert len(halted_rows) >= CLIENTS - filled_at_halt - 1 > 0
    # B's broker holds exactly the filled rows' orders: nothing halted reached it.
    assert {h["client_id"] for h in holders} == filled
