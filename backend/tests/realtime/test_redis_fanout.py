"""Two backend processes sharing Redis: an order placed through one is heard by a socket on the other."""

import asyncio
import os
import socket
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import socketio
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from app.services.demo import ADVISOR_EMAIL, ADVISOR_PASSWORD
from tests.realtime.conftest import REDIS_URL

pytestmark = pytest.mark.several_processes

BACKEND = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Backend:
    def __init__(self, name: str, env: dict[str, str], tmp: Path) -> None:
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"{name}.log"
        data_dir = tmp / name
        data_dir.mkdir()
        self.env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1", "MULTIDESK_DATA_DIR": str(data_dir)}
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli", "serve", cwd=BACKEND, env=self.env, stdout=log, stderr=log
            )
        async with httpx.AsyncClient(base_url=self.url) as http:
            for _ in range(300):
                if self.process.returncode is not None:
                    break
                try:
                    if (await http.get("/health/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"backend {self.name} did not become ready:\n{self.log.read_text()[-3000:]}")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def test_an_order_through_one_process_reaches_a_socket_on_the_other(redis: Redis, tmp_path: Path) -> None:
    channel = f"multidesk-test-{uuid.uuid4().hex}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MULTIDESK_")},
        "MULTIDESK_DEMO_MODE": "true",
        "MULTIDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
        "MULTIDESK_JWT_SECRET": "fanout-secret-" + "f" * 40,
        "MULTIDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MULTIDESK_REDIS_URL": REDIS_URL,
        "MULTIDESK_REALTIME_REDIS_CHANNEL": channel,
        "MULTIDESK_SIM_PERSIST": "false",
        "MULTIDESK_STATIC_DIR": str(tmp_path / "no-frontend"),
        "MULTIDESK_DEMO_CLIENT_COUNT": "2",
        "MULTIDESK_LOG_LEVEL": "WARNING",
    }
    a, b = Backend("a", env, tmp_path), Backend("b", env, tmp_path)
    listener = socketio.AsyncClient(reconnection=False)
    heard: list[dict] = []
    listener.on("order_update", heard.append)
    try:
        # One after the other: the first migrates and seeds the shared database.
        await a.start()
        await b.start()
        async with httpx.AsyncClient(base_url=a.url) as http:
            login = await http.post("/api/v1/auth/login", json={"email": ADVISOR_EMAIL, "password": ADVISOR_PASSWORD})
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            client_id = (await http.get("/api/v1/clients", headers=headers)).json()["items"][0]["id"]

            await listener.connect(b.url, auth={"token": login.json()["access_token"]}, transports=["websocket"])
            # Both processes listen on the channel before anything is published.
            for _ in range(100):
                if (await redis.pubsub_numsub(channel))[0][1] == 2:
                    break
                await asyncio.sleep(0.05)
            assert (await redis.pubsub_numsub(channel))[0][1] == 2

            body = {
                "client_id": client_id,
                "token_id": 2885,
                "execution": "BUY",
                "order_type": "MARKET",
                "trade_type": "DELIVERY",
                "quantity": 1,
            }
            placed = await http.post("/api/v1/orders/place", json=body, headers=headers)
            assert placed.status_code == 201, placed.text
            order_id = placed.json()["id"]
        for _ in range(100):
            if any(u["id"] == order_id and u["status"] == placed.json()["status"] for u in heard):
                break
            await asyncio.sleep(0.05)
        assert any(u["id"] == order_id and u["client_id"] == client_id for u in heard), heard
    finally:
        if listener.connected:
            await listener.disconnect()
        await b.stop()
        await a.stop()
