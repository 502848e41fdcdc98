"""No connection held while waiting, across two server processes on one database (issue 13, item 2).

The burst of tests/test_pool.py (50 places, 20 execute-alls, a wait on each batch) is split between two real
servers sharing one database, each with a deliberately small pool (3 + 2 connections): the orders go to both,
and each batch is waited on at the server that did NOT run it, which no event of its own announces, so the
wait must notice the other process's writes by itself. Every request succeeds and GET /auth/me on either
server stays under the bound meanwhile. Each server has its own simulator, answering slowly so requests overlap.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.services.demo import ADMIN_EMAIL, ADMIN_PASSWORD, ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.live_server import Server, server_pair, signed_in
from tests.test_pool import assert_nothing_stalled, overlapping_load

pytestmark = pytest.mark.several_processes

CLIENTS = 20

SERVER_SETTINGS = {
    "MULTIDESK_DEMO_MODE": "true",
    "MULTIDESK_DEMO_CLIENT_COUNT": str(CLIENTS),
    "MULTIDESK_SIM_PERSIST": "false",
    "MULTIDESK_SIM_ALWAYS_OPEN": "true",
    "MULTIDESK_SIM_SLIPPAGE_BPS": "0",
    "MULTIDESK_SIM_LATENCY_MS": "150",
    # A pool far smaller than the burst: it holds only if nobody keeps a connection while waiting.
    "MULTIDESK_DB_POOL_SIZE": "3",
    "MULTIDESK_DB_MAX_OVERFLOW": "2",
    # The burst is one advisor's 70 order requests; the per-user order budget is not what is tested here.
    "MULTIDESK_RATE_LIMIT_ORDERS": "1000/minute",
    "MULTIDESK_RECONCILE_INTERVAL_S": "60",
    "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
}


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[tuple[Server, Server]]:
    async with server_pair(tmp_path, "pool", SERVER_SETTINGS) as pair:
        yield pair


async def test_two_servers_on_one_database_with_small_pools_never_stall(servers: tuple[Server, Server]) -> None:
    a, b = servers
    async with httpx.AsyncClient(timeout=60) as http:
        # One after the other: the first migrates the database and seeds the demo advisor and clients.
        await a.start(http)
        await b.start(http)
        trader = await signed_in(http, a, ADVISOR_EMAIL, ADVISOR_PASSWORD)
        bystander = await signed_in(http, b, ADMIN_EMAIL, ADMIN_PASSWORD)
        listed = await http.get(f"{a.url}/api/v1/clients", params={"limit": CLIENTS}, headers=trader)
        client_ids = [client["id"] for client in listed.json()["items"]]
        assert len(client_ids) == CLIENTS

        result = await overlapping_load(
            http,
            trader,
            bystander,
            client_ids,
            place_url=lambda i: (a, b)[i % 2].url,
            # Each batch is waited on at the other server, and GET /auth/me asked of both.
            wait_url=lambda i: (b, a)[i % 2].url,
        )

    assert_nothing_stalled(result)
