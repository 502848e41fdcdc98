"""Two backend processes sharing Redis: a role change or deactivation made through one ends the user's sockets on the
other at once."""

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
import socketio
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from app.services.demo import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.live_server import Server, scratch_database
from tests.realtime.conftest import REDIS_URL, wait_until

pytestmark = pytest.mark.several_processes


class Listener:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.expired: list[dict[str, str]] = []
        self.client.on("session_expired", self.expired.append)


async def sign_in(http: httpx.AsyncClient, url: str, email: str, password: str) -> dict[str, str]:
    response = await http.post(f"{url}/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_change_through_one_process_ends_the_sockets_on_the_other(redis: Redis, tmp_path: Path) -> None:
    channel = f"multidesk-test-{uuid.uuid4().hex}"
    settings = {
        "MULTIDESK_DEMO_MODE": "true",
        "MULTIDESK_JWT_SECRET": "sessions-secret-" + "s" * 40,
        "MULTIDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MULTIDESK_REDIS_URL": REDIS_URL,
        "MULTIDESK_REALTIME_REDIS_CHANNEL": channel,
        "MULTIDESK_SIM_PERSIST": "false",
        "MULTIDESK_DEMO_CLIENT_COUNT": "1",
        "MULTIDESK_LOG_LEVEL": "WARNING",
    }
    listeners = [Listener(), Listener()]
    async with scratch_database(tmp_path, "sessions") as database_url, httpx.AsyncClient(timeout=10) as http:
        a = Server(tmp_path / "a", database_url, settings)
        b = Server(tmp_path / "b", database_url, settings)
        try:
            # One after the other: the first migrates and seeds the shared database.
            await a.start(http)
            await b.start(http)
            boss = await sign_in(http, a.url, ADMIN_EMAIL, ADMIN_PASSWORD)
            headers = {"Authorization": f"Bearer {boss['access_token']}"}
            ids = {}
            for role in ("admin", "viewer"):
                body = {"email": f"{role}2@example.com", "full_name": role, "role": role, "password": "password-2"}
                created = await http.post(f"{a.url}/api/v1/users", json=body, headers=headers)
                assert created.status_code == 201, created.text
                ids[role] = created.json()["id"]
                tokens = await sign_in(http, a.url, f"{role}2@example.com", "password-2")
                listener = listeners[len(ids) - 1]
                await listener.client.connect(b.url, auth={"token": tokens["access_token"]}, transports=["websocket"])
            await wait_until(lambda: all(listener.client.connected for listener in listeners))

            async def both_listening() -> bool:
                return (await redis.pubsub_numsub(channel))[0][1] == 2

            for _ in range(100):
                if await both_listening():
                    break
                await asyncio.sleep(0.05)
            assert await both_listening()

            demote = await http.patch(f"{a.url}/api/v1/users/{ids['admin']}", json={"role": "advisor"}, headers=headers)
            assert demote.status_code == 200, demote.text
            await wait_until(lambda: not listeners[0].client.connected)
            assert [e["code"] for e in listeners[0].expired] == ["INVALID_TOKEN"]
            assert listeners[1].client.connected

            deactivate = await http.post(f"{a.url}/api/v1/users/{ids['viewer']}/deactivate", headers=headers)
            assert deactivate.status_code == 200, deactivate.text
            await wait_until(lambda: not listeners[1].client.connected)
            assert [e["code"] for e in listeners[1].expired] == ["ACCOUNT_INACTIVE"]
        finally:
            for listener in listeners:
                if listener.client.connected:
                    await listener.client.disconnect()
            for server in (b, a):
                if server.running:
                    await server.stop()
