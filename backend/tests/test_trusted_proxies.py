"""The client address behind the per-IP login limit: X-Forwarded-For counts only from MULTIDESK_TRUSTED_PROXIES.

A real server (uvicorn decides the address, not the app), sign-ins limited to 3 a minute per address.
"""

from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from tests.live_server import Server, scratch_database


async def statuses(http: httpx.AsyncClient, server: Server, forwarded_for: list[str]) -> list[int]:
    answers = []
    for address in forwarded_for:
        response = await http.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": "nobody@example.com", "password": "whatever"},
            headers={"X-Forwarded-For": address},
        )
        answers.append(response.status_code)
    return answers


async def test_a_rotating_forwarded_for_from_an_untrusted_peer_does_not_escape_the_per_ip_limit(
    tmp_path: Path,
) -> None:
    async with httpx.AsyncClient(timeout=10) as http, scratch_database(tmp_path, "direct") as database_url:
        settings = {
            "MULTIDESK_DEMO_MODE": "false",
            "MULTIDESK_JWT_SECRET": "proxy-secret-" + "p" * 40,
            "MULTIDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "MULTIDESK_SIM_PERSIST": "false",
            "MULTIDESK_LOG_LEVEL": "WARNING",
            "MULTIDESK_RATE_LIMIT_LOGIN_IP": "3/minute",
        }
        direct = Server(tmp_path / "direct", database_url, settings)
        behind_proxy = Server(tmp_path / "proxied", database_url, settings | {"MULTIDESK_TRUSTED_PROXIES": "127.0.0.1"})
        try:
            await direct.start(http)
            # Four "different" callers are one peer, 127.0.0.1, which is not a trusted proxy.
            assert await statuses(http, direct, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]) == [401] * 3 + [429]
            await direct.stop()

            await behind_proxy.start(http)
            # Behind a trusted proxy each forwarded address has its own budget...
            assert await statuses(http, behind_proxy, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]) == [401] * 4
            # ...and one forwarded address is limited as a direct caller is.
            assert await statuses(http, behind_proxy, ["10.0.0.9"] * 4) == [401] * 3 + [429]
        finally:
            for server in (direct, behind_proxy):
                if server.running:
                    await server.stop()
