"""`python -m app.cli serve` with MULTIDESK_WORKERS: several server processes on one port.

More than one worker without Redis is refused at start-up with a message naming the setting (the processes could
not share Socket.IO rooms, rate limits or lockouts). With Redis, two workers start together on one fresh database:
migrations run once before them, they load the instruments and seed one after the other, both serve the port,
exactly one becomes the runner, a sign-in at one process is accepted by whichever answers the next request, and
both see one set of simulated books (the venue `serve` starts beside them when MULTIDESK_SIMULATOR_URL is unset).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.services.demo import ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.conftest import METRICS_TOKEN
from tests.live_server import BACKEND, Server, scratch_database, signed_in

pytestmark = pytest.mark.several_processes

RELIANCE = 2885
REDIS_URL = os.environ.get("MULTIDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


def serve_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MULTIDESK_")}
    return env | {"MULTIDESK_DATA_DIR": str(tmp_path), "PORT": "9", "HOST": "127.0.0.1"} | settings


def test_several_workers_without_redis_do_not_start_and_say_why(tmp_path: Path) -> None:
    env = serve_env(tmp_path, MULTIDESK_WORKERS="2")
    ran = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"], cwd=BACKEND, env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 2
    assert "MULTIDESK_WORKERS=2 needs MULTIDESK_REDIS_URL" in ran.stderr


async def test_two_workers_share_one_port_one_start_up_and_one_runner(tmp_path: Path) -> None:
    settings = {
        "MULTIDESK_WORKERS": "2",
        "MULTIDESK_REDIS_URL": REDIS_URL,
        "MULTIDESK_DEMO_MODE": "true",
        "MULTIDESK_DEMO_CLIENT_COUNT": "3",
        "MULTIDESK_MOTILAL_BASE_URL": "http://127.0.0.1:9",
        "MULTIDESK_METRICS_TOKEN": METRICS_TOKEN,
    }
    async with scratch_database(tmp_path, "workers") as url, httpx.AsyncClient(timeout=30) as http:
        server = Server(tmp_path / "serve", url, settings, ready_within_s=120)
        try:
            await server.start(http)
            advisor = await signed_in(http, server, ADVISOR_EMAIL, ADVISOR_PASSWORD)
            client_id = (await http.get(f"{server.url}/api/v1/clients", headers=advisor)).json()["items"][0]["id"]
            order = {"execution": "BUY", "order_type": "MARKET", "trade_type": "DELIVERY", "quantity": 7}
            placed = await http.post(
                f"{server.url}/api/v1/orders/place",
                json={"client_id": client_id, "token_id": RELIANCE, **order},
                headers=advisor,
            )
            assert placed.json()["status"] == "FILLED", placed.text
            # Fresh connections land on either process; each accepts the other's tokens, sees the one venue's books
            # (the simulator started beside the workers), and /metrics adds up both workers' samples: one runner
            # between them, whichever answers.
            for _ in range(10):
                async with httpx.AsyncClient(timeout=30) as fresh:
                    portfolio = await fresh.get(f"{server.url}/api/v1/clients/{client_id}/portfolio", headers=advisor)
                    scraped = await fresh.get(
                        f"{server.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
                    )
                assert portfolio.status_code == 200, portfolio.text
                assert [p["net_quantity"] for p in portfolio.json()["positions"]] == [7]
                assert re.search(r"^multidesk_runner 1\.0$", scraped.text, re.MULTILINE), scraped.text
        finally:
            if server.running:
                await server.stop()
        log = server.log.read_text()
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2, log
    assert log.count("this process is the runner") == 1, log
    # Seeded once: the second process found the demo users there (one "seeded" line, not two).
    assert log.count("demo data seeded") == 1, log
