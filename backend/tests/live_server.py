"""Real server processes for tests: `python -m app.cli serve` on a free port, its own database and data dir.

Used where a test needs what only a separate process shows: a SIGKILL mid-batch, or two servers on one database
racing each other. On PostgreSQL (MULTIDESK_TEST_DATABASE_URL) the servers get a scratch database of their own,
dropped at the end: the suite's database belongs to the in-process app fixture.
"""

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

BACKEND = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def scratch_database(tmp_path: Path, name: str = "live") -> AsyncIterator[str]:
    """A database for servers alone: a SQLite file, or a scratch PostgreSQL database on the suite's server."""
    suite_url = os.environ.get("MULTIDESK_TEST_DATABASE_URL")
    if not suite_url:
        yield f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
        return
    database = f"multidesk_{name}_{secrets.token_hex(4)}"
    admin = create_async_engine(make_url(suite_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        yield make_url(suite_url).set(database=database).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.dispose()


async def poll(check: Callable[[], Awaitable[bool]], *, within: float, failure: Callable[[], str]) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(failure())
        await asyncio.sleep(0.02)


@dataclass
class Server:
    """`python -m app.cli serve` on one port, data dir and database, with `settings` (MULTIDESK_* variables) only;
    started again as often as needed."""

    data_dir: Path
    database_url: str
    settings: dict[str, str]
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    # Several workers start one after the other behind one port (migrations first, in their parent).
    ready_within_s: float = 30.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def journal(self) -> Path:
        return self.data_dir / "simulator-journal.jsonl"

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def start(self, http: httpx.AsyncClient) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Only this test's settings: a MULTIDESK_ variable in the caller's environment must not leak in.
        env = {key: value for key, value in os.environ.items() if not key.startswith("MULTIDESK_")}
        env |= self.settings | {
            "MULTIDESK_DATA_DIR": str(self.data_dir),
            "MULTIDESK_DATABASE_URL": self.database_url,
            "MULTIDESK_STATIC_DIR": str(self.data_dir / "no-frontend"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli", "serve", cwd=BACKEND, env=env, stdout=log, stderr=subprocess.STDOUT
            )

        async def ready() -> bool:
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(
                    f"the server exited ({self.process.returncode}) before it was ready:\n{self.log_tail()}"
                )
            try:
                return (await http.get(f"{self.url}/health/ready")).status_code == 200
            except httpx.TransportError:
                return False

        # Uvicorn listens only once start-up (migrations, seeding, the start-up reconciliation) is done.
        await poll(
            ready, within=self.ready_within_s, failure=lambda: f"the server was not ready in time:\n{self.log_tail()}"
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """A graceful stop (SIGTERM), so the journal is free to be replayed here."""
        assert self.process is not None
        self.process.terminate()
        try:
            async with asyncio.timeout(15):
                await self.process.wait()
        except TimeoutError:
            await self.kill()
            raise AssertionError(f"the server did not stop on SIGTERM:\n{self.log_tail()}") from None


def shared_secrets() -> dict[str, str]:
    """One JWT secret and credential key for servers that must accept each other's tokens and credentials."""
    return {
        "MULTIDESK_JWT_SECRET": secrets.token_urlsafe(48),
        "MULTIDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }


@contextlib.asynccontextmanager
async def server_pair(tmp_path: Path, name: str, settings: dict[str, str]) -> AsyncIterator[tuple[Server, Server]]:
    """Two servers, `a` and `b`, on one scratch database with the same settings (and secrets); stopped at the end.
    Start them one after the other: the first migrates the database and seeds the demo users."""
    settings = shared_secrets() | settings
    async with scratch_database(tmp_path, name) as url:
        pair = (Server(tmp_path / "a", url, settings), Server(tmp_path / "b", url, settings))
        try:
            yield pair
        finally:
            for server in pair:
                if server.running:
                    await server.stop()


async def signed_in(http: httpx.AsyncClient, server: Server, email: str, password: str) -> dict[str, str]:
    """The Authorization header of a fresh sign-in at `server`."""
    login = await http.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
