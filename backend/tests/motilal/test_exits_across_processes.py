"""Exits from two server processes at once never sell the same shares twice (DESIGN.md §7, across processes).

Two real servers share one database and one venue: the fake Motilal, whose books both read and trade. Each
position read takes a while, so without a lock shared by the processes each exit would read the same position
and sell it again. Every client must end flat, never short, and the shares sold must be exactly those held.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.enums import BrokerName
from app.services.demo import ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.fakes.motilal import FakeMotilal
from tests.live_server import Server, poll, server_pair, signed_in
from tests.motilal.conftest import PLAIN_USER, TOTP_USER, USERS, FakeServer, credentials

pytestmark = pytest.mark.several_processes

RELIANCE = 2885


@pytest.fixture
async def servers(tmp_path: Path, fake_server: FakeServer) -> AsyncIterator[tuple[Server, Server]]:
    settings = {
        "MULTIDESK_DEMO_MODE": "true",
        "MULTIDESK_DEMO_CLIENT_COUNT": "1",
        "MULTIDESK_SIM_PERSIST": "false",
        "MULTIDESK_SIM_ALWAYS_OPEN": "true",
        "MULTIDESK_MOTILAL_BASE_URL": fake_server.url,
        "MULTIDESK_MOTILAL_TIMEOUT_S": "5",
        "MULTIDESK_RECONCILE_INTERVAL_S": "600",
    }
    async with server_pair(tmp_path, "exits", settings) as pair:
        yield pair


async def test_exits_from_two_processes_at_once_leave_every_client_flat(
    servers: tuple[Server, Server], fake: FakeMotilal
) -> None:
    a, b = servers
    async with httpx.AsyncClient(timeout=30) as http:
        # One after the other: the first migrates and seeds, the second finds it done.
        await a.start(http)
        await b.start(http)
        http.headers.update(await signed_in(http, a, ADVISOR_EMAIL, ADVISOR_PASSWORD))
        client_ids = []
        for userid in (TOTP_USER, PLAIN_USER):
            created = await http.post(
                f"{a.url}/api/v1/clients",
                json={
                    "display_name": f"Motilal {userid}",
                    "broker": BrokerName.MOTILAL.value,
                    "broker_client_id": userid,
                    "opening_cash": "0",
                    "credentials": credentials(USERS[userid]),
                },
            )
            assert created.status_code == 201, created.text
            client_ids.append(created.json()["id"])
        buy = {
            "token_id": RELIANCE,
            "execution": "BUY",
            "order_type": "MARKET",
            "trade_type": "DELIVERY",
            "allocations": [{"client_id": client_id, "quantity": 10} for client_id in client_ids],
        }
        bought = await http.post(f"{a.url}/api/v1/orders/execute-all", json=buy)
        assert bought.status_code == 202, bought.text
        batch = await http.get(f"{a.url}/api/v1/batches/{bought.json()['batch_id']}", params={"wait": "true"})
        assert {row["status"] for row in batch.json()["rows"]} == {"FILLED"}
        trades = (await http.get(f"{a.url}/api/v1/trades")).json()["items"]

        async def both_fills_copied() -> bool:
            nonlocal trades
            trades = (await http.get(f"{a.url}/api/v1/trades")).json()["items"]
            return len(trades) == 2

        await poll(both_fills_copied, within=10, failure=lambda: f"fills not copied: {trades}")
        first_trade = next(t for t in trades if t["client_id"] == client_ids[0])

        # From here every position read takes 0.3 s: long enough for every exit below to overlap the others.
        fake.fail_next("timeout", path="getposition", seconds=0.3, count=1000)
        exit_url = f"/api/v1/trades/exit-by-token/{RELIANCE}"
        responses = await asyncio.gather(
            http.post(f"{a.url}{exit_url}", json={}),
            http.post(f"{b.url}{exit_url}", json={}, headers={"Idempotency-Key": "b-1"}),
            http.post(f"{b.url}/api/v1/trades/{first_trade['id']}/exit", json={}),
            http.post(f"{a.url}{exit_url}", json={"client_ids": [client_ids[1]]}),
            http.post(f"{b.url}{exit_url}", json={}),
        )
        assert all(r.status_code in (201, 202, 409) for r in responses), [r.text for r in responses]
        for server, response in zip((a, b, b, a, b), responses, strict=True):
            if response.status_code == 202:
                url = f"{server.url}/api/v1/batches/{response.json()['batch_id']}"
                rows = (await http.get(url, params={"wait": "true", "timeout": 30})).json()["rows"]
                assert all(row["status"] != "PENDING" for row in rows), rows

    for userid in (TOTP_USER, PLAIN_USER):
        nets = [position.net for position in fake.books[userid].positions.values()]
        assert nets == [0], f"{userid} ends at {nets}, not flat"
        sold = sum(order.filled for order in fake.orders(userid) if order.side == "SELL")
        assert sold == 10, f"{userid} sold {sold} of the 10 held"
